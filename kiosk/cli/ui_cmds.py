"""``kiosk ui`` and ``kiosk screenshot``: the touch UI, loaded only by these two commands."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from kiosk.cli.context import Context, Fail, emit, handled, json_option
from kiosk.i18n import LANGUAGES
from kiosk.ui.screen_names import SCREENS


@click.command("ui")
@click.option("--windowed", is_flag=True, help="A normal window, for trying it on a desktop.")
@json_option
@click.pass_obj
@handled
def ui_cmd(obj: Context, windowed: bool, as_json: bool) -> None:
    """Run the totem's full-screen touch UI.

    \b
    Example:
      kiosk ui
    """
    from kiosk.ui.launch import launch

    # The plain command lines never get here (kiosk.cli sends them to launch() without
    # click); the same start runs for the rest.
    raise click.exceptions.Exit(launch(obj.config_path, windowed))


def screen_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--screen`` and ``--lang``, as ``screenshot`` and ``say`` take them."""
    func = click.option(
        "--lang", default=None,
        help=f"Language, one of kiosk.languages ({', '.join(LANGUAGES)}); default: the first.",
    )(func)  # fmt: skip
    return click.option("--screen", "screen", type=click.Choice(SCREENS), required=True,
                        help="Which screen of the touch UI.")(func)  # fmt: skip


@click.command("screenshot")
@screen_options
@click.option("--size", default="1080x1920", show_default=True, help="WIDTHxHEIGHT in pixels.")
@click.option("--large-text", "large", is_flag=True, help="As after a touch on large text.")
@click.option("--high-contrast", "contrast", is_flag=True, help="As after a touch on contrast.")
@click.option("--speech", is_flag=True, help="Speech mode on, the keypad on the first button.")
@click.option("--warning", is_flag=True, help="The warning before the idle reset.")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@json_option
@click.pass_obj
@handled
def screenshot_cmd(
    obj: Context,
    screen: str,
    lang: str | None,
    size: str,
    large: bool,
    contrast: bool,
    speech: bool,
    warning: bool,
    out: Path,
    as_json: bool,
) -> None:
    """Render a screen offscreen to a PNG, on a throw-away copy of the data.

    \b
    Example:
      kiosk screenshot --screen home --lang ar --size 1080x1920 home-ar.png
      kiosk screenshot --screen ticket --large-text --high-contrast ticket-large.png
    """
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from kiosk.ui.screenshot import render as render_screen

    language = lang or obj.config.languages[0]
    if language not in obj.config.languages:
        raise Fail(
            f'--lang: "{language}" is not in kiosk.languages ({", ".join(obj.config.languages)})', 2
        )
    try:
        width, height = (int(v) for v in size.lower().split("x"))
    except ValueError:
        raise Fail(f'--size: "{size}" is not WIDTHxHEIGHT, like 1080x1920', 2) from None
    if not (320 <= width <= 7680 and 320 <= height <= 7680):
        raise Fail(f'--size: "{size}" is outside 320..7680 pixels', 2)
    if not out.parent.is_dir():
        raise Fail(f"OUT: {out.parent} is not a folder (create it first)", 2)
    if out.exists() and not out.is_file():
        raise Fail(f"OUT: {out} is not a regular file", 2)
    if not render_screen(
        obj.config, screen, language, (width, height), out, large, contrast, speech, warning
    ):
        raise Fail(f"OUT: {out} could not be written", 1)
    emit(
        {"path": str(out), "screen": screen, "lang": language, "size": [width, height]},
        as_json,
        f"{out}: {screen}, {language}, {width}x{height}",
    )


@click.command("say")
@screen_options
@click.option("--wav", "wav", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the audio here too.")  # fmt: skip
@json_option
@click.pass_obj
@handled
def say_cmd(obj: Context, screen: str, lang: str | None, wav: Path | None, as_json: bool) -> None:
    """What the totem says aloud on a screen, and (with --wav) its audio, on a throw-away copy
    of the data.

    \b
    Example:
      kiosk say --screen ticket --lang it --wav ticket-it.wav --json
    """
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from drivers.audio.voice import SpeechUnavailable
    from kiosk.ui.screenshot import say

    language = lang or obj.config.languages[0]
    if language not in obj.config.languages:
        raise Fail(
            f'--lang: "{language}" is not in kiosk.languages ({", ".join(obj.config.languages)})', 2
        )
    if wav is not None and wav.suffix.lower() != ".wav":
        raise Fail(f"--wav: {wav.name}: the audio is WAV; name the file *.wav", 2)
    if wav is not None and not wav.parent.is_dir():
        raise Fail(f"--wav: {wav.parent} is not a folder (create it first)", 2)
    words = say(obj.config, screen, language)
    out: dict[str, object] = {"screen": screen, "lang": language, "text": words}
    if wav is not None:
        try:
            wav.write_bytes(obj.voice().wav(words, language))
        except SpeechUnavailable as exc:
            raise Fail(f"speech: {exc}", 1) from None
        except OSError as exc:
            raise Fail(f"--wav: {wav}: {exc.strerror}", 1) from None
        out["wav"] = str(wav)
    emit(out, as_json, words + (f"\n{wav}" if wav else ""))
