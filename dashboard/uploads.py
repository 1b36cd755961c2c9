"""Uploads checked in the browser before they are sent.

The server takes requests up to `app.MAX_REQUEST_BYTES`; a larger one is refused with HTTP 413
before any callback runs, and Dash shows nothing on the page (a 20 MB file just vanished). So a
clientside callback looks at the file's data URL first: a file over the upload limit becomes
`{"too_big": bytes, "filename": ...}` (a few bytes to send), anything else is passed on as
`{"contents": ..., "filename": ...}`; the upload callback answers both with a message.
"""
from __future__ import annotations

from dash import Input, Output, State

from .data import MAX_UPLOAD_BYTES

# a data URL is base64 (4 characters per 3 bytes) after a short header
MAX_DATA_URL_CHARS = MAX_UPLOAD_BYTES * 4 // 3 + 256

CHECK = f"""
function(contents, filename) {{
    if (!contents) {{ return window.dash_clientside.no_update; }}
    if (contents.length > {MAX_DATA_URL_CHARS}) {{
        var chars = contents.length - contents.indexOf(",") - 1;
        var pad = contents.endsWith("==") ? 2 : (contents.endsWith("=") ? 1 : 0);
        return {{"too_big": chars / 4 * 3 - pad, "filename": filename}};
    }}
    return {{"contents": contents, "filename": filename}};
}}
"""


def register(app) -> None:
    app.clientside_callback(CHECK, Output("upload-checked", "data"), Input("upload", "contents"),
                            State("upload", "filename"), prevent_initial_call=True)
