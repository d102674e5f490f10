#!/usr/bin/env python3
"""tests/cli/browser_check.py - loads a local HTML page in headless
Chromium and reports what a reader's browser would see (a helper of
tests/cli/report_html.sh, not a test itself).

usage: browser_check.py PAGE.html SHOT_PREFIX

Chromium is driven over its DevTools protocol on a pipe
(--remote-debugging-pipe: NUL-terminated JSON on fds 3 and 4), so nothing
listens on a port and nothing outside the machine is needed. The page is
loaded from file:// at desktop width (1280x800) and at phone width
(390x844, as a phone's viewport); at each, the first screen is saved as
SHOT_PREFIX-desktop.png / -phone.png. Printed as one JSON object on
stdout: console errors and exceptions, failed requests (with their URL),
every image with its rendered and natural size, the page's scroll width
against the viewport's, the headings, the table-of-contents links that
point nowhere, and where the first answer paragraph starts. Exit status 0 if the browser ran, 2 if it could not start.
"""
import base64, json, os, select, shutil, sys, tempfile, time

page, prefix = os.path.abspath(sys.argv[1]), sys.argv[2]
chromium = shutil.which("chromium") or shutil.which("chromium-browser")
if not chromium:
    print("chromium is not installed", file=sys.stderr)
    sys.exit(2)

profile = tempfile.mkdtemp(prefix="vbchrome.")
to_chrome_r, to_chrome_w = os.pipe()
from_chrome_r, from_chrome_w = os.pipe()
pid = os.fork()
if pid == 0:
    # child: fd 3 = commands in, fd 4 = responses out
    # via fds above 4, so that neither end is clobbered, then inheritable
    # (Python's pipes are close-on-exec)
    hi_r, hi_w = os.dup(to_chrome_r) + 100, os.dup(from_chrome_w) + 100
    os.dup2(to_chrome_r, hi_r)
    os.dup2(from_chrome_w, hi_w)
    os.dup2(hi_r, 3)
    os.dup2(hi_w, 4)
    os.set_inheritable(3, True)
    os.set_inheritable(4, True)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    if not os.environ.get("BROWSER_CHECK_DEBUG"):
        os.dup2(devnull, 2)
    args = [chromium, "--headless=new", "--remote-debugging-pipe",
            "--user-data-dir=" + profile, "--no-first-run",
            "--no-default-browser-check", "--disable-gpu",
            "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--metrics-recording-only", "--mute-audio",
            "--hide-scrollbars", "about:blank"]
    if os.geteuid() == 0:
        args.insert(1, "--no-sandbox")  # Chromium refuses to run as root otherwise
    os.execv(chromium, args)
os.close(to_chrome_r)
os.close(from_chrome_w)

buf = b""
next_id = 0
events = []


def read_message(deadline):
    global buf
    while b"\0" not in buf:
        if time.time() > deadline:
            raise TimeoutError("no answer from chromium")
        r, _, _ = select.select([from_chrome_r], [], [], 0.5)
        if r:
            chunk = os.read(from_chrome_r, 65536)
            if not chunk:
                raise EOFError("chromium closed the pipe")
            buf += chunk
    msg, buf = buf.split(b"\0", 1)
    return json.loads(msg)


def send(method, params=None, session=None, timeout=30):
    global next_id
    next_id += 1
    msg = {"id": next_id, "method": method, "params": params or {}}
    if session:
        msg["sessionId"] = session
    os.write(to_chrome_w, json.dumps(msg).encode() + b"\0")
    deadline = time.time() + timeout
    while True:
        m = read_message(deadline)
        if m.get("id") == next_id:
            if "error" in m:
                raise RuntimeError("%s: %s" % (method, m["error"]))
            return m.get("result", {})
        events.append(m)


def wait_event(name, timeout=30):
    deadline = time.time() + timeout
    for i, m in enumerate(events):
        if m.get("method") == name:
            return events.pop(i)
    while True:
        m = read_message(deadline)
        if m.get("method") == name:
            return m
        events.append(m)


result = {"console_errors": [], "failed_requests": [], "images": [],
          "views": {}}
try:
    target = send("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = send("Target.attachToTarget", {"targetId": target,
                                             "flatten": True})["sessionId"]
    for domain in ("Page", "Runtime", "Log", "Network"):
        send(domain + ".enable", session=session)
    seen = 0
    for view, (w, h, mobile) in (("desktop", (1280, 800, False)),
                                 ("phone", (390, 844, True))):
        send("Emulation.setDeviceMetricsOverride",
             {"width": w, "height": h, "deviceScaleFactor": 1,
              "mobile": mobile}, session=session)
        send("Page.navigate", {"url": "file://" + page}, session=session)
        wait_event("Page.loadEventFired")
        time.sleep(0.3)  # late console messages and image decoding
        probe = send("Runtime.evaluate", {"returnByValue": True, "expression": """
            (() => ({
              images: [...document.images].map(i => ({src: i.getAttribute('src'),
                  alt: i.alt, width: i.getBoundingClientRect().width,
                  height: i.getBoundingClientRect().height,
                  natural: [i.naturalWidth, i.naturalHeight], complete: i.complete})),
              scroll_width: document.documentElement.scrollWidth,
              viewport_width: window.innerWidth,
              headings: [...document.querySelectorAll('h1,h2,h3')].map(h =>
                  [h.tagName, h.id, h.textContent]),
              broken_toc: [...document.querySelectorAll('nav.toc a')]
                  .filter(a => !document.getElementById(
                      decodeURIComponent(a.hash.slice(1)))).map(a => a.href),
              toc_links: document.querySelectorAll('nav.toc a').length,
              first_text: document.body.innerText.slice(0, 400),
              // where the first answer paragraph starts (CSS px from the top)
              first_answer_top: (() => {
                  const h = document.getElementById('answers');
                  let e = h && h.nextElementSibling;
                  while (e && !(e.tagName === 'P' && e.firstElementChild &&
                                e.firstElementChild.tagName === 'STRONG' &&
                                e.textContent.startsWith(e.firstElementChild.textContent)))
                      e = e.nextElementSibling;
                  return e ? e.getBoundingClientRect().top : null; })()
            }))()"""}, session=session)["result"]["value"]
        result["views"][view] = probe
        shot = send("Page.captureScreenshot", {"format": "png"}, session=session)
        with open("%s-%s.png" % (prefix, view), "wb") as f:
            f.write(base64.b64decode(shot["data"]))
    # drain what arrived meanwhile
    try:
        while True:
            events.append(read_message(time.time() + 0.5))
    except TimeoutError:
        pass
    urls = {m["params"]["requestId"]: m["params"]["request"]["url"]
            for m in events if m.get("method") == "Network.requestWillBeSent"}
    for m in events:
        meth, p = m.get("method"), m.get("params", {})
        if meth == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
            result["console_errors"].append(" ".join(str(a.get("value", a.get("description")))
                                                     for a in p.get("args", [])))
        elif meth == "Runtime.exceptionThrown":
            result["console_errors"].append(p["exceptionDetails"].get("text", "exception"))
        elif meth == "Log.entryAdded" and p["entry"].get("level") == "error":
            result["console_errors"].append(p["entry"].get("text", "") + " " +
                                            p["entry"].get("url", ""))
        elif meth == "Network.loadingFailed":
            result["failed_requests"].append(p.get("errorText", "") + " " +
                                             urls.get(p.get("requestId"), "?"))
        elif meth == "Network.requestWillBeSent":
            result.setdefault("requests", []).append(p["request"]["url"])
    try:
        send("Browser.close", timeout=5)
    except Exception:
        pass
finally:
    # our own child only: closed above, killed if it lingers
    for _ in range(50):
        if os.waitpid(pid, os.WNOHANG)[0]:
            break
        time.sleep(0.1)
    else:
        os.kill(pid, 15)
        os.waitpid(pid, 0)
    shutil.rmtree(profile, ignore_errors=True)
print(json.dumps(result, indent=1))
