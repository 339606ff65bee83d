/* A small keep-alive HTTP/1.1 client for the serve benchmark, so the client adds little to the
 * timings: one connection, one blocking send and read per request, no parsing beyond the status
 * line and the body's length.
 *
 *   apiclient HOST PORT ROUNDS PATH
 *
 * Each round is GET /api/read?points=2000&path=PATH then POST /api/xas/analyze {"file": PATH}; each
 * floor round is two GET /favicon.ico (the same two round trips with almost no server work), which
 * measures transport plus this client. Rounds and floor rounds alternate. Prints one line per round:
 * "api MS READ_MS ANALYZE_MS" or "floor MS". Build: cc -O2 -o apiclient apiclient.c */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static char buffer[1 << 24];

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static void send_all(int fd, const char *data, size_t n) {
    while (n > 0) {
        ssize_t k = send(fd, data, n, MSG_NOSIGNAL);
        if (k <= 0) { perror("send"); exit(2); }
        data += k; n -= (size_t)k;
    }
}

/* Reads one response; returns its status. Handles Content-Length and chunked bodies. */
static int read_response(int fd) {
    size_t have = 0;
    char *end = NULL;
    while (!end) {
        ssize_t k = recv(fd, buffer + have, sizeof buffer - 1 - have, 0);
        if (k <= 0) { fprintf(stderr, "connection closed\n"); exit(2); }
        have += (size_t)k; buffer[have] = 0;
        end = strstr(buffer, "\r\n\r\n");
    }
    int status = atoi(buffer + 9);
    size_t head = (size_t)(end - buffer) + 4;
    long length = -1;
    int chunked = 0;
    for (char *line = strstr(buffer, "\r\n") + 2; line < end; line = strstr(line, "\r\n") + 2) {
        if (strncasecmp(line, "content-length:", 15) == 0) length = atol(line + 15);
        if (strncasecmp(line, "transfer-encoding:", 18) == 0 && strstr(line, "chunked") && strstr(line, "chunked") < strstr(line, "\r\n")) chunked = 1;
    }
    if (length >= 0) {
        while (have < head + (size_t)length) {
            ssize_t k = recv(fd, buffer + have, sizeof buffer - 1 - have, 0);
            if (k <= 0) { fprintf(stderr, "short body\n"); exit(2); }
            have += (size_t)k;
        }
    } else if (chunked) {
        /* Read until the terminating zero-size chunk. */
        buffer[have] = 0;
        while (!strstr(buffer + head, "\r\n0\r\n\r\n") && !(have - head >= 5 && memcmp(buffer + head, "0\r\n\r\n", 5) == 0)) {
            ssize_t k = recv(fd, buffer + have, sizeof buffer - 1 - have, 0);
            if (k <= 0) { fprintf(stderr, "short chunked body\n"); exit(2); }
            have += (size_t)k; buffer[have] = 0;
        }
    }
    return status;
}

static double request(int fd, const char *text, size_t n) {
    double t = now_ms();
    send_all(fd, text, n);
    int status = read_response(fd);
    if (status != 200) { fprintf(stderr, "status %d: %.300s\n", status, buffer); exit(1); }
    return now_ms() - t;
}

int main(int argc, char **argv) {
    if (argc != 5) { fprintf(stderr, "usage: apiclient HOST PORT ROUNDS PATH\n"); return 2; }
    const char *host = argv[1], *path = argv[4];
    int port = atoi(argv[2]), rounds = atoi(argv[3]);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET; a.sin_port = htons((unsigned short)port);
    inet_pton(AF_INET, host, &a.sin_addr);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) { perror("connect"); return 2; }
    char read_req[1024], analyze_req[1024], floor_req[256], body[512];
    int nr = snprintf(read_req, sizeof read_req, "GET /api/read?points=2000&path=%s HTTP/1.1\r\nHost: %s:%d\r\n\r\n", path, host, port);
    int nb = snprintf(body, sizeof body, "{\"file\": \"%s\"}", path);
    int na = snprintf(analyze_req, sizeof analyze_req,
                      "POST /api/xas/analyze HTTP/1.1\r\nHost: %s:%d\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", host, port, nb, body);
    int nf = snprintf(floor_req, sizeof floor_req, "GET /favicon.ico HTTP/1.1\r\nHost: %s:%d\r\n\r\n", host, port);
    for (int i = 0; i < rounds; i++) {
        double r = request(fd, read_req, (size_t)nr), z = request(fd, analyze_req, (size_t)na);
        printf("api %.4f %.4f %.4f\n", r + z, r, z);
        double f = request(fd, floor_req, (size_t)nf) + request(fd, floor_req, (size_t)nf);
        printf("floor %.4f\n", f);
    }
    close(fd);
    return 0;
}
