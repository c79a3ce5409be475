"""A Streamlit client over the websocket, without a browser: what a browser sends the server and waits for.

The benchmark's other people at the réunion de direction (tests/bench_pages.py) browse with it: their browsers run
on their own computers, so on the test machine they cost the server what a browser costs it (the script's reruns
and the messages sent) and nothing of the rendering. It speaks the protocol of the pinned Streamlit: a BackMsg
`rerun_script` (the client state: page, query string, widget values, the hashes of the messages it keeps) answered
by ForwardMsgs up to `script_finished`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode


@dataclass
class Choice:
    """A selectbox the last run drew: its widget id, options, current value and URL parameter."""

    id: str
    options: list[str]
    value: str
    query_key: str


@dataclass
class Session:
    """One browser tab's Streamlit session; `open` then `page`, `choose`, each waiting for the run's end."""

    url: str
    cookie: str | None = None
    timeout: float = 120.0
    pages: dict[str, tuple[str, str]] = field(default_factory=dict)  # url path -> (page script hash, page name)
    choices: dict[str, Choice] = field(default_factory=dict)  # label -> the selectbox drawn with it
    query: dict[str, str] = field(default_factory=dict)
    current: str = ""  # url path of the page shown
    texts: list[str] = field(default_factory=list)  # the markdown, captions and headings of the last run
    _socket: Any = None
    _cached: set[str] = field(default_factory=set)  # hashes of the messages a browser would keep

    def open(self, path: str = "") -> float:
        """Connect as a new tab on `path` (a link typed or opened) and wait for the page's first run; seconds."""
        from websockets.sync.client import connect

        headers = {"Cookie": self.cookie} if self.cookie else None
        self._socket = connect(self.url.replace("http://", "ws://") + "/_stcore/stream", legacy=True,
                               subprotocols=["streamlit"], open_timeout=self.timeout, additional_headers=headers,
                               max_size=None)
        self.current = path
        return self._rerun(page_name=path)

    def page(self, path: str) -> float:
        """A click on a page of the menu (as the browser sends it: the page's script hash); seconds to its end."""
        script_hash, name = self.pages[path]
        self.current = path
        return self._rerun(page_script_hash=script_hash, page_name=name)

    def choose(self, label: str, value: str) -> float:
        """A new value in the selectbox `label` (bound to the URL when it says so); seconds to the run's end."""
        choice = self.choices[label]
        choice.value = value
        if choice.query_key:
            self.query[choice.query_key] = value
        script_hash, name = self.pages.get(self.current, ("", self.current))
        return self._rerun(page_script_hash=script_hash, page_name=name)

    def close(self) -> None:
        """Close the tab."""
        if self._socket is not None:
            self._socket.close()
            self._socket = None

    def _rerun(self, page_script_hash: str = "", page_name: str = "") -> float:
        from streamlit.proto.BackMsg_pb2 import BackMsg

        message = BackMsg()
        state = message.rerun_script
        state.query_string = urlencode(self.query)
        state.page_script_hash = page_script_hash
        state.page_name = page_name
        state.cached_message_hashes.extend(sorted(self._cached))
        for choice in self.choices.values():
            widget = state.widget_states.widgets.add()
            widget.id = choice.id
            widget.string_value = choice.value
        started = time.perf_counter()
        self._socket.send(message.SerializeToString())
        self._read_until_finished()
        return time.perf_counter() - started

    def _read_until_finished(self) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        deadline = time.monotonic() + self.timeout
        drawn: dict[str, Choice] = {}
        texts: list[str] = []
        while time.monotonic() < deadline:
            answer = ForwardMsg()
            answer.ParseFromString(self._socket.recv(timeout=self.timeout))
            kind = answer.WhichOneof("type")
            if answer.metadata.cacheable and answer.hash:
                self._cached.add(answer.hash)
            if kind == "navigation":
                self.pages = {page.url_pathname: (page.page_script_hash, page.page_name)
                              for page in answer.navigation.app_pages}
                for page in answer.navigation.app_pages:
                    if page.page_script_hash == answer.navigation.page_script_hash:
                        self.current = page.url_pathname
            elif kind == "delta" and answer.delta.WhichOneof("type") == "new_element":
                element = answer.delta.new_element
                if element.WhichOneof("type") in ("markdown", "heading"):
                    texts.append(getattr(element, element.WhichOneof("type")).body)
                elif element.WhichOneof("type") == "selectbox":
                    box = element.selectbox
                    options = list(box.options)
                    value = box.raw_value if box.HasField("raw_value") else (
                        options[box.default] if box.HasField("default") and options else "")
                    drawn[box.label] = Choice(box.id, options, value, box.query_param_key)
            elif kind == "script_finished":
                # the widgets of this run (those of another page are forgotten), with the values this tab chose:
                # the server sends a widget's default, the browser keeps what the person picked
                for label, choice in drawn.items():
                    kept = self.choices.get(label)
                    if kept is not None and kept.id == choice.id and kept.value in choice.options:
                        choice.value = kept.value
                self.choices, self.texts = drawn, texts
                self.query = {choice.query_key: choice.value for choice in drawn.values()
                              if choice.query_key and choice.value}
                return
        raise TimeoutError(f"pas de fin d'exécution en {self.timeout:.0f} s")
