"""The words and layout of BARTR's emails: a plain-text part and a small, safe HTML part.

Every value is escaped into the HTML; links are absolute URLs on the app's public address.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from bartr.settings import get_settings


@dataclass(frozen=True)
class Mail:
    subject: str
    text: str
    html: str


def absolute(path: str) -> str:
    """`/reset-password` -> `https://bartr.example/reset-password` (the public URL)."""
    return get_settings().public_url.rstrip("/") + path


def compose(
    *,
    subject: str,
    greeting: str,
    paragraphs: list[str],
    action: tuple[str, str] | None = None,
    items: list[str] | None = None,
    footer: list[str] | None = None,
    unsubscribe_url: str | None = None,
) -> Mail:
    """One email: a greeting, paragraphs, an optional list, an optional button (label, URL)."""
    text_parts = [greeting, "", *[p + "\n" for p in paragraphs]]
    html_parts = [f"<p>{escape(greeting)}</p>", *[f"<p>{escape(p)}</p>" for p in paragraphs]]
    if items:
        text_parts += [f"- {item}" for item in items] + [""]
        html_parts.append("<ul>" + "".join(f"<li>{escape(i)}</li>" for i in items) + "</ul>")
    if action:
        label, url = action
        text_parts += [f"{label}: {url}", ""]
        html_parts.append(
            f'<p><a href="{escape(url, quote=True)}" style="display:inline-block;'
            "padding:10px 18px;border-radius:8px;background:#3e63dd;color:#ffffff;"
            f'text-decoration:none;font-weight:600">{escape(label)}</a></p>'
            f'<p style="color:#60646c;font-size:13px">Or paste this link into your browser: '
            f"{escape(url)}</p>"
        )
    closing = [*(footer or []), "— BARTR"]
    text_parts += [*closing]
    html_parts += [f'<p style="color:#60646c;font-size:13px">{escape(f)}</p>' for f in closing]
    if unsubscribe_url:
        text_parts += ["", f"Unsubscribe from these emails: {unsubscribe_url}"]
        html_parts.append(
            '<p style="color:#60646c;font-size:12px">'
            f'<a href="{escape(unsubscribe_url, quote=True)}">Unsubscribe</a> from these '
            "emails.</p>"
        )
    body = "".join(html_parts)
    html = (
        '<!doctype html><html><body style="font-family:system-ui,sans-serif;color:#1c2024;'
        f'line-height:1.5;max-width:560px;margin:0 auto;padding:16px">{body}</body></html>'
    )
    return Mail(subject=subject, text="\n".join(text_parts).rstrip() + "\n", html=html)
