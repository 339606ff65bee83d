"""A headless Chromium driven over the DevTools protocol on a pipe (--remote-debugging-pipe):
Chromium reads NUL-terminated JSON commands on fd 3 and writes replies and events on fd 4.
Python's standard library only. Used by browser_test.py and Benchmarks/serve/bench_browser.py."""
import base64, json, os, subprocess, tempfile, time


class Chromium:
    def __init__(self, binary, width=1280, height=800):
        self.profile = tempfile.mkdtemp(prefix="roentgen-chromium-")
        to_r, self.to_w = os.pipe()
        self.from_r, from_w = os.pipe()

        def child():  # map onto fds 3/4; dup first so neither clobbers the other
            a, b = os.dup(to_r), os.dup(from_w)
            os.dup2(a, 3); os.dup2(b, 4)

        self.proc = subprocess.Popen(
            [binary, "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--no-first-run",
             "--disable-background-networking", f"--user-data-dir={self.profile}",
             "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.0.0.1",
             "--remote-debugging-pipe", "about:blank"],
            close_fds=False, preexec_fn=child, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_r); os.close(from_w)
        self.buf = b""; self.next_id = 0; self.events = []; self.session = None
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ["Runtime.enable", "Log.enable", "Page.enable"]:
            self.cmd(domain)
        self.cmd("Emulation.setDeviceMetricsOverride", {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})

    def send(self, method, params=None, sid=None, timeout=90):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if sid: msg["sessionId"] = sid
        os.write(self.to_w, json.dumps(msg).encode() + b"\0")
        deadline = time.time() + timeout
        while time.time() < deadline:
            while b"\0" in self.buf:
                raw, self.buf = self.buf.split(b"\0", 1)
                m = json.loads(raw)
                if m.get("id") == self.next_id:
                    if "error" in m: raise RuntimeError(f"{method}: {m['error']}")
                    return m.get("result", {})
                self.events.append(m)
            chunk = os.read(self.from_r, 1 << 20)
            if not chunk: raise RuntimeError("chromium closed the pipe")
            self.buf += chunk
        raise RuntimeError(f"{method}: no answer")

    def cmd(self, method, params=None):
        return self.send(method, params, self.session)

    def js(self, expr):
        r = self.cmd("Runtime.evaluate", {"expression": expr, "awaitPromise": True, "returnByValue": True})
        if "exceptionDetails" in r:
            d = r["exceptionDetails"]
            raise RuntimeError(f"JS {expr[:80]!r}: {d.get('exception', {}).get('description', d.get('text'))}")
        return r["result"].get("value")

    def wait_for(self, expr, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            v = self.js(expr)
            if v: return v
            time.sleep(0.05)
        raise RuntimeError(f"timed out waiting for {expr}")

    def navigate(self, url):
        self.cmd("Page.navigate", {"url": url})

    def screenshot(self, path):
        data = self.cmd("Page.captureScreenshot", {"format": "png"})["data"]
        with open(path, "wb") as f: f.write(base64.b64decode(data))

    def mouse(self, kind, x, y, buttons=0, clicks=1):
        self.cmd("Input.dispatchMouseEvent", {"type": kind, "x": x, "y": y, "button": "left", "buttons": buttons, "clickCount": clicks})

    def problems(self):
        """Console errors, uncaught exceptions and failed loads seen so far."""
        out = []
        for m in self.events:
            meth, p = m.get("method"), m.get("params", {})
            if meth == "Runtime.consoleAPICalled" and p.get("type") == "error":
                out.append(["console.error", [a.get("value") for a in p.get("args", [])]])
            if meth == "Runtime.exceptionThrown":
                out.append(["exception", p.get("exceptionDetails", {}).get("text")])
            if meth == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
                out.append(["log", p["entry"].get("text"), p["entry"].get("url")])
        return out

    def close(self):
        self.proc.kill(); self.proc.wait()
