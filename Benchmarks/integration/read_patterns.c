/* How fast can a big file be read cold, by pattern? The probe behind FrameReadAhead's choice
 * (docs/integration.md, "A 2000-frame stack").
 *
 *   cc -O2 Benchmarks/integration/read_patterns.c -o /tmp/read_patterns
 *   /tmp/read_patterns FILE MODE MEGABYTES        (run each mode a few times, interleaved)
 *
 * The file's pages are dropped from the page cache first (posix_fadvise DONTNEED: this file only).
 * MODE 0: pread of 4 MB blocks; 1: mmap, one byte per page touched in order;
 *      2: as 1 after madvise(MADV_SEQUENTIAL); 3: as 1 with madvise(MADV_WILLNEED) 64 MB ahead;
 *      4: as 1 after posix_fadvise(SEQUENTIAL); 5: madvise(MADV_WILLNEED) per 4 MB frame, then touched;
 *      6: madvise(MADV_POPULATE_READ) per 4 MB frame (Linux ≥ 5.14: page tables filled, no fault per page). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }

int main(int argc, char **argv) {
    if (argc != 4) { fprintf(stderr, "usage: %s FILE MODE MEGABYTES\n", argv[0]); return 2; }
    int mode = atoi(argv[2]);
    size_t len = (size_t)atol(argv[3]) << 20, frame = 4092732, page = 4096;
    int fd = open(argv[1], O_RDONLY);
    if (fd < 0) { perror(argv[1]); return 1; }
    posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    double t0 = now();
    unsigned long sum = 0;
    if (mode == 0) {
        size_t block = 4 << 20, off = 0;
        char *buf = malloc(block);
        while (off < len) { ssize_t r = pread(fd, buf, block, off); if (r <= 0) break; sum += buf[0]; off += r; }
        free(buf);
    } else {
        char *m = mmap(0, len, PROT_READ, MAP_SHARED, fd, 0);
        if (m == MAP_FAILED) { perror("mmap"); return 1; }
        if (mode == 2) madvise(m, len, MADV_SEQUENTIAL);
        if (mode == 4) posix_fadvise(fd, 0, len, POSIX_FADV_SEQUENTIAL);
        if (mode == 3) {
            size_t ahead = 64 << 20, done = 0;
            for (size_t off = 0; off < len; off += page) {
                if (off >= done && done < len) { size_t e = done + ahead > len ? len : done + ahead; madvise(m + done, e - done, MADV_WILLNEED); done = e; }
                sum += m[off];
            }
        } else if (mode == 5) {
            for (size_t off = 0; off < len; off += frame) {
                size_t e = off + frame > len ? len : off + frame, a = off / page * page;
                madvise(m + a, e - a, MADV_WILLNEED);
                for (size_t o = off; o < e; o += page) sum += m[o];
            }
        } else if (mode == 6) {
            for (size_t off = 0; off < len; off += frame) {
                size_t e = off + frame > len ? len : off + frame, a = off / page * page;
                if (madvise(m + a, e - a, 22 /* MADV_POPULATE_READ */) != 0) { perror("MADV_POPULATE_READ"); return 1; }
                sum += m[off];
            }
        } else {
            for (size_t off = 0; off < len; off += page) sum += m[off];
        }
    }
    double t = now() - t0;
    printf("mode %d: %.3f s, %.2f GB/s (checksum %lu)\n", mode, t, len / t / 1e9, sum % 7);
    return 0;
}
