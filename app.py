"""Web UI: `python app.py [--host 127.0.0.1] [--port 7860]` (or RAG_HOST / RAG_PORT).

Runs offline: the Hugging Face hub is never contacted and Gradio sends no analytics;
there is no share link.
"""

from __future__ import annotations

import argparse
import os
import sys

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def report(message: str) -> None:
    """Engine.open's progress callback: make the slow first index build visible."""
    if message.startswith("building the index"):
        say(f"Building the index (first run, about a minute)… [{message}]")
    else:
        say(message)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Question answering over the four plans, in the browser.")
    parser.add_argument("--host", default=os.environ.get("RAG_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("RAG_PORT", "7860")))
    args = parser.parse_args(argv)

    say("Loading the embedding model…")
    from rag.answering import Engine
    from rag.indexing import IndexUnusable
    from rag.model import ModelError

    try:
        engine = Engine.open(report=report)
    except ModelError as error:
        say(f"error: {error}")
        return 3
    except IndexUnusable as error:
        say(f"error: {error}")
        return 4

    import gradio as gr

    from rag.ui import CSS, build_app

    say(f"Starting the web UI on http://{args.host}:{args.port} …")
    theme = gr.themes.Soft(font=["system-ui", "Noto Sans CJK SC", "sans-serif"], font_mono=["monospace"])
    build_app(engine).queue(default_concurrency_limit=4).launch(
        server_name=args.host, server_port=args.port, share=False, css=CSS, theme=theme, show_error=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
