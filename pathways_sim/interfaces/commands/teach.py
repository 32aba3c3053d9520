"""``teach``: start the live teaching page (Mesa's SolaraViz, ``pathways_sim.teaching.app``) on this computer."""

from __future__ import annotations

import importlib.util
import os
import signal
import socket
import subprocess
import sys
from typing import Annotated

import typer

from pathways_sim.interfaces.console import BadInput, out

APP_MODULE = "pathways_sim.teaching.app"
# What the page needs beyond the core install (the teach extra): the server, its offline copy of the browser
# libraries (so nothing is fetched from a CDN), and what Mesa's SolaraViz imports.
TEACH_MODULES = ("solara", "solara_assets", "ipyvuetify", "altair")
INSTALL_HINT = 'pip install "pathways_sim[teach]"'
# Nothing leaves the computer: no usage statistics, no check for a newer solara.
OFFLINE_ENV = {"SOLARA_TELEMETRY_MIXPANEL_ENABLE": "false"}


def missing_modules() -> list[str]:
    return [name for name in TEACH_MODULES if importlib.util.find_spec(name) is None]


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def _check_port(host: str, port: int) -> int:
    if not 0 <= port <= 65535:
        raise BadInput(f"port: must be 0 (any free port) to 65535, got {port}")
    try:
        if port == 0:
            return _free_port(host)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.bind((host, port))
    except OSError as problem:
        raise BadInput(f"port: cannot listen on {host}:{port} ({problem.strerror}); choose another with --port, "
                       "or 0 for any free one") from None
    return port


def server_command(host: str, port: int) -> list[str]:
    """The command that serves the page (solara's own server, in production mode, opening no browser)."""
    return [sys.executable, "-m", "solara", "run", APP_MODULE, "--host", host, "--port", str(port),
            "--production", "--no-open", "--no-check-version"]


def teach(port: Annotated[int, typer.Option(help="port to serve on (0: any free port)")] = 8765,
          host: Annotated[str, typer.Option(help="address to listen on; 127.0.0.1 keeps the page on this "
                                                 "computer")] = "127.0.0.1") -> None:
    """Start the live teaching page and print its address (Ctrl-C stops it).

    A class chooses a lesson, switches feedback loops off, steps or plays the model a month at a time and watches
    the gap between the most and least deprived areas respond.  Each browser tab gets its own model.  Loop
    switches act from the next step; the strength and coverage sliders act at Reset.  Needs the teach extra.
    """
    missing = missing_modules()
    if missing:
        raise BadInput(f"teach: the teaching page needs the teach extra ({', '.join(missing)} not installed): "
                       f"{INSTALL_HINT}")
    port = _check_port(host, port)
    out.print(f"teaching page: http://{host}:{port}/ (Ctrl-C stops it)", soft_wrap=True, markup=False)
    sys.stdout.flush()
    server = subprocess.Popen(server_command(host, port), env={**os.environ, **OFFLINE_ENV})
    try:
        code = server.wait()
    except KeyboardInterrupt:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        out.print("teaching page stopped", markup=False)
        return
    if code:  # the server could not start or failed (it says why)
        raise typer.Exit(1)
