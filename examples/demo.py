"""The asgikit demo: every example behind one page, routed by ``examples.router``.

- ``/``: the index page (plain HTML and vanilla JavaScript, no external assets);
- ``/hello`` and ``/hello.json``: text and JSON;
- ``POST /upload``: a multipart form (fields and files) answered with an HTML summary;
- ``/ws/chat``: a websocket chat room;
- ``/clock``: a server-sent events clock; ``/ndjson``: an NDJSON stream;
- ``/files/{name}``: downloads of the examples' source files, with ``Range`` support.

Run: ``./scripts/demo`` (``uvicorn examples.demo:app --host 127.0.0.1 --port 8000``).
"""

from __future__ import annotations

from html import escape
from typing import Final

from asgikit import Request, RequestBodyError

from .chat import ChatRoom
from .files import serve_file
from .forms import FormSummary, summarize_form
from .ndjson_stream import stream_ndjson
from .router import PathParams, Router
from .sse import stream_clock

__all__ = ["INDEX", "app", "chat_room", "render_summary"]

app: Final = Router()
"""The demo application (an ASGI callable that also answers the lifespan protocol)."""

chat_room: Final = ChatRoom()
"""The demo's chat room."""

INDEX: Final = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>asgikit demo</title>
<style>
  body { font-family: system-ui, sans-serif; max-width: 48rem; margin: 2rem auto; padding: 0 1rem; }
  section { border: 1px solid #ccc; border-radius: 6px; padding: 0 1rem 1rem; margin: 1rem 0; }
  #messages { list-style: none; height: 10rem; overflow: auto; border: 1px solid #eee;
              margin: 0 0 .5rem; padding: .5rem; }
  #clock { font-variant-numeric: tabular-nums; }
</style>
</head>
<body>
<h1>asgikit demo</h1>

<section>
<h2>Responses</h2>
<ul>
  <li><a id="hello-link" href="/hello">Plain text</a></li>
  <li><a id="json-link" href="/hello.json">JSON</a></li>
  <li><a id="ndjson-link" href="/ndjson?count=5&amp;delay_ms=200">NDJSON stream</a></li>
  <li><a id="download-link" href="/files/demo.py?download=1">Download this demo's source</a>
      (ETag, Range)</li>
</ul>
</section>

<section>
<h2>Upload</h2>
<form id="upload-form" method="post" action="/upload" enctype="multipart/form-data">
  <p><label>Name <input id="name" name="name" value="Ada"></label></p>
  <p><label>Comment <input id="comment" name="comment" value="Hello from the demo"></label></p>
  <p><input id="file" type="file" name="file" multiple></p>
  <p><button id="upload-button">Upload</button></p>
</form>
</section>

<section>
<h2>Chat</h2>
<ul id="messages"></ul>
<form id="chat-form">
  <input id="chat-input" autocomplete="off" placeholder="Say something">
  <button id="chat-send">Send</button> <span id="chat-status">connecting</span>
</form>
</section>

<section>
<h2>Clock (server-sent events)</h2>
<p>Server time: <strong id="clock">--:--:--</strong> (<span id="ticks">0</span> ticks)</p>
</section>

<script>
"use strict";
const messages = document.getElementById("messages");
const input = document.getElementById("chat-input");
const chatStatus = document.getElementById("chat-status");
let socket = null;

function connect() {
  const scheme = location.protocol === "https:" ? "wss://" : "ws://";
  socket = new WebSocket(scheme + location.host + "/ws/chat");
  socket.onopen = () => { chatStatus.textContent = "connected"; };
  socket.onclose = () => {
    chatStatus.textContent = "disconnected, retrying";
    setTimeout(connect, 1000);
  };
  socket.onmessage = (event) => {
    const message = JSON.parse(event.data);
    const item = document.createElement("li");
    item.textContent = message.from + ": " + message.text;
    messages.appendChild(item);
    messages.scrollTop = messages.scrollHeight;
  };
}

document.getElementById("chat-form").addEventListener("submit", (event) => {
  event.preventDefault();
  if (input.value && socket !== null && socket.readyState === WebSocket.OPEN) {
    socket.send(input.value);
    input.value = "";
  }
});
connect();

const clock = document.getElementById("clock");
const ticks = document.getElementById("ticks");
let tickCount = 0;
new EventSource("/clock").addEventListener("tick", (event) => {
  clock.textContent = event.data;
  ticks.textContent = String(++tickCount);
});
</script>
</body>
</html>
"""

_RESULT_HEAD: Final = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Upload received</title></head>
<body>
"""


def render_summary(summary: FormSummary) -> str:
    """The result page of an upload: every field value and each file's name and size."""
    parts = [_RESULT_HEAD, "<h1>Upload received</h1>\n<h2>Fields</h2>\n<dl id=\"fields\">\n"]
    for name, values in summary.fields.items():
        parts.append(f"<dt>{escape(name)}</dt>\n")
        parts.extend(f"<dd>{escape(value)}</dd>\n" for value in values)
    parts.append("</dl>\n<h2>Files</h2>\n<ul id=\"files\">\n")
    for upload in summary.files:
        parts.append(
            f'<li><span class="filename">{escape(upload.filename)}</span>: '
            f'<span class="size">{upload.size}</span> bytes ({escape(upload.media_type)})</li>\n'
        )
    if not summary.files:
        parts.append("<li>no file</li>\n")
    parts.append('</ul>\n<p><a href="/">Back</a></p>\n</body>\n</html>\n')
    return "".join(parts)


@app.route("/")
async def index(request: Request, params: PathParams) -> None:
    """The index page."""
    await request.respond_text(INDEX, media_type="text/html")


@app.route("/hello")
async def hello(request: Request, params: PathParams) -> None:
    """Plain text."""
    await request.respond_text("Hello, world!")


@app.route("/hello.json")
async def hello_json(request: Request, params: PathParams) -> None:
    """JSON."""
    await request.respond_json({"message": "Hello, world!"})


@app.route("/upload", "POST")
async def upload(request: Request, params: PathParams) -> None:
    """Read the multipart form and show what arrived."""
    try:
        summary = await summarize_form(request)
    except RequestBodyError as exc:
        page = f"{_RESULT_HEAD}<h1>Upload refused</h1>\n<p>{escape(str(exc))}</p>\n</body></html>\n"
        await request.respond_text(page, status=exc.status_code, media_type="text/html")
        return
    await request.respond_text(render_summary(summary), media_type="text/html")


@app.route("/clock")
async def clock(request: Request, params: PathParams) -> None:
    """The server-sent events clock."""
    await stream_clock(request)


@app.route("/ndjson")
async def ndjson(request: Request, params: PathParams) -> None:
    """The NDJSON stream."""
    await stream_ndjson(request)


@app.route("/files/{name}")
async def files(request: Request, params: PathParams) -> None:
    """Downloads."""
    await serve_file(request, params["name"])


@app.websocket("/ws/chat")
async def chat(request: Request, params: PathParams) -> None:
    """The chat room."""
    await chat_room.join(request.websocket)
