#!/usr/bin/env python3
"""Loopback HTTP server for Benchmarks/fetch: serves one large file (with Range support, via
sendfile) and replays the recorded portal responses from ../shared/data/portals for every
connector, so `roentgen search` and `curl`/`roentgen fetch` hit the same server.

Usage: loopback_server.py BIGFILE SHARED_PORTALS_DIR PORTFILE
Binds 127.0.0.1 on an ephemeral port and writes the port to PORTFILE.
"""
import json, os, re, socketserver, sys
from http.server import BaseHTTPRequestHandler, HTTPServer

BIG, PORTALS, PORTFILE = sys.argv[1], sys.argv[2], sys.argv[3]
BIG_SIZE = os.path.getsize(BIG)
BIG_MD5 = open(BIG + ".md5").read().split()[0]


def fixture(rel):
    with open(os.path.join(PORTALS, rel), "rb") as f:
        return f.read()


def repaired(rel):
    text = fixture(rel).decode()
    lines = [l for l in text.split("\n") if l.strip() != "..."]
    return "\n".join(lines).replace("},\n]", "}\n]").encode()


def mdf_envelope():
    contents = [json.loads(fixture("mdf/" + n)) for n in (
        "forge-tutorial-search-Al-record-nist_xps.json", "forge-tutorial-search-elements-Al-record-cip.json",
        "forge-tutorial-search-title-dataset-record.json")]
    return json.dumps({"@datatype": "GSearchResult", "count": 3, "total": 3, "offset": 0,
                       "gmeta": [{"subject": str(i), "entries": [{"content": c}]} for i, c in enumerate(contents)]}).encode()


ZENODO_RECORD = json.dumps({"id": 1, "doi": "10.5281/zenodo.1", "metadata": {"title": "benchmark file"},
                            "files": [{"filename": "big.bin", "filesize": BIG_SIZE, "checksum": BIG_MD5}]}).encode()
IXAS = b'<tr><td> <a href="/spectrum/12"> Fe foil</a></td><td> foil </td><td> K </td><td> APS 13-BM </td><td> 5 </td></tr>'
ROUTES = {
    "/zenodo/records": lambda: fixture("zenodo/cldfzenodo-search_keyword.json"),
    "/zenodo/records/1": lambda: ZENODO_RECORD,
    "/mc/records": lambda: fixture("zenodo/cldfzenodo-record_multifile.json"),
    "/datacite/dois": lambda: fixture("datacite/dois-list-page-size5.rdatacite-cassette.json"),
    "/panosc/Datasets": lambda: repaired("panosc/federated-prod-datasets-query-temperature-beam.json-fragment.txt"),
    "/scicat/Datasets": lambda: fixture("scicat/scicatlive-seed-Dataset.json"),
    "/nomad/entries/query": lambda: fixture("nomad/entries-query-Ti-O-page_size1.nomad-docs.json"),
    "/mdf/search": mdf_envelope,
    "/ixas/elem/Fe": lambda: IXAS,
}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body, ctype="application/json"):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        if self.path.split("?")[0] == "/nomad/entries/query" and (body.get("pagination") or {}).get("page_after_value"):
            return self.reply(200, b'{"pagination":{"total":1},"data":[]}')
        self.do_GET()

    def do_GET(self):
        path = self.path.split("?")[0]
        if path in ("/big.bin", "/zenodo/records/1/files/big.bin/content"):
            return self.send_big()
        route = ROUTES.get(path)
        if route is None:
            return self.reply(404, b'{"status":404}')
        if path == "/datacite/dois":
            data = json.loads(route()); data["links"] = {"self": "x"}
            return self.reply(200, json.dumps(data).encode())
        return self.reply(200, route(), "text/html" if path.startswith("/ixas") else "application/json")

    def send_big(self):
        start = 0
        m = re.match(r"bytes=(\d+)-", self.headers.get("Range") or "")
        if m:
            start = int(m.group(1))
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{BIG_SIZE - 1}/{BIG_SIZE}")
        else:
            self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(BIG_SIZE - start))
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        self.wfile.flush()
        with open(BIG, "rb") as f:
            self.connection.sendfile(f, offset=start)


class Server(socketserver.ThreadingMixIn, HTTPServer):
    daemon_threads = True


server = Server(("127.0.0.1", 0), Handler)
with open(PORTFILE, "w") as f:
    f.write(str(server.server_address[1]))
server.serve_forever()
