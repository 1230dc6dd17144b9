"""Email over SMTP (STARTTLS or implicit TLS), with the text and HTML reports as alternatives."""

from __future__ import annotations

import asyncio
import html
import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from newsbot.delivery import messages as m
from newsbot.delivery.channels.base import Channel, Outcome, Policy
from newsbot.delivery.secrets import ChannelConfigError, env_name, from_env, secret_fragments

logger = logging.getLogger("newsbot.delivery")


class EmailChannel(Channel):
    """SMTP with STARTTLS (or implicit TLS), credentials from the environment; one message with the
    text version and the HTML version as alternatives. Mail has no practical size limit at a
    report's size (~100 KB), so it is never split."""

    type = "email"

    def __init__(self, name: str, config: dict, policy: Policy):
        super().__init__(name, config, policy)
        what = f"email channel {name!r}"
        self.host = config.get("host") or ""
        if not self.host:
            raise ChannelConfigError(f"{what}: no SMTP host configured")
        self.ssl = bool(config.get("ssl", False))
        self.starttls = bool(config.get("starttls", not self.ssl))
        self.port = int(config.get("port") or (465 if self.ssl else 587))
        self.sender = config.get("from") or ""
        recipients = config.get("to") or []
        self.to = [
            r.strip() for r in (recipients.split(",") if isinstance(recipients, str) else recipients) if r.strip()
        ]
        if not self.sender or not self.to:
            raise ChannelConfigError(f"{what}: 'from' and 'to' are required")
        self.subject = config.get("subject") or "{title}"
        self.cafile = config.get("cafile")
        self.username = from_env(config.get("username_env") or env_name(name, "USERNAME"), what=what, required=False)
        self.password = from_env(
            config.get("password_env") or env_name(name, "PASSWORD"), what=what, required=bool(self.username)
        )
        self.fragments = secret_fragments(self.password)

    def describe(self) -> str:
        return f"email channel {self.name!r} (smtp://{self.host}:{self.port})"

    def envelope(self, subject: str) -> EmailMessage:
        msg = EmailMessage()
        msg["Subject"] = subject
        msg["From"] = self.sender
        msg["To"] = ", ".join(self.to)
        msg["Date"] = formatdate(localtime=True)
        msg["Message-ID"] = make_msgid(domain=self.sender.rpartition("@")[2] or None)
        return msg

    def report_messages(self, report: dict, files: dict) -> list[EmailMessage]:
        text = _read(files.get("txt")) or plain_report(report)
        page = _read(files.get("html")) or html_report(report)
        msg = self.envelope(self.subject.format(title=m.title(report), date=report.get("date", "")))
        # The text part first: mail clients show the last alternative they can render.
        msg.set_content(text)
        msg.add_alternative(page, subtype="html")
        return [msg]

    def alert_messages(self, text: str) -> list[EmailMessage]:
        msg = self.envelope(f"[{m.ALERT_TITLE}] {text.splitlines()[0][:120] if text else ''}".strip())
        msg.set_content(text)
        return [msg]

    async def send_one(self, message: EmailMessage, client) -> Outcome:
        return await asyncio.to_thread(self._send, message)

    def tls_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.cafile) if self.cafile else ssl.create_default_context()

    def _send(self, message: EmailMessage) -> Outcome:
        try:
            if self.ssl:
                smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.policy.timeout, context=self.tls_context())
            else:
                smtp = smtplib.SMTP(self.host, self.port, timeout=self.policy.timeout)
            with smtp:
                smtp.ehlo()
                if self.starttls:
                    # Raises SMTPNotSupportedError when the server offers no STARTTLS: never send in clear.
                    smtp.starttls(context=self.tls_context())
                    smtp.ehlo()
                if self.username:
                    smtp.login(self.username, self.password or "")
                refused = smtp.send_message(message, from_addr=self.sender, to_addrs=self.to)
            if refused:
                return Outcome(False, False, f"recipients refused: {', '.join(refused)}")
            return Outcome(True)
        except (smtplib.SMTPAuthenticationError, smtplib.SMTPNotSupportedError, ssl.SSLCertVerificationError) as exc:
            return Outcome(False, False, f"{type(exc).__name__}: {exc}")
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused) as exc:
            return Outcome(False, False, f"{type(exc).__name__}: {exc}")
        except smtplib.SMTPResponseException as exc:
            # 4xx is "try again later"; 5xx is final.
            return Outcome(False, 400 <= exc.smtp_code < 500, f"SMTP {exc.smtp_code}: {exc.smtp_error!r}")
        except (smtplib.SMTPException, OSError) as exc:
            return Outcome(False, True, f"{type(exc).__name__}: {exc}")


def _read(path) -> str:
    if not path:
        return ""
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        logger.warning("Cannot read report file %s for email (%s); building it from the JSON", path, exc)
        return ""


def plain_report(report: dict) -> str:
    """A plain-text report from the JSON, for when the rendered .txt is not at hand."""
    lines = [m.title(report), m.header_line(report), ""]
    for region in ("domestic", "international"):
        entries = report.get(region) or []
        if entries:
            lines.append(m.SECTION_TITLES[region])
            for entry in entries:
                lines += m.entry_lines(entry, lambda t, u: f"{t} {u}".strip(), lambda v: " ".join(str(v or "").split()))
                lines.append("")
    if report.get("overview"):
        lines += [m.overview_title(report), str(report["overview"]), ""]
    lines += m.report_footer(report)
    return "\n".join(lines).rstrip() + "\n"


def html_report(report: dict) -> str:
    """A minimal HTML report from the JSON, for when the rendered .html is not at hand."""
    esc = html.escape

    def link(text: str, url: str) -> str:
        return f'<a href="{esc(url)}">{text}</a>' if url else text

    body = [f"<h1>{esc(m.title(report))}</h1>", f"<p>{esc(m.header_line(report))}</p>"]
    for region in ("domestic", "international"):
        entries = report.get(region) or []
        if entries:
            body.append(f"<h2>{esc(m.SECTION_TITLES[region])}</h2>")
            for entry in entries:
                lines = m.entry_lines(entry, link, lambda v: esc(" ".join(str(v or "").split())))
                body.append("<p>" + "<br>".join(lines) + "</p>")
    if report.get("overview"):
        body.append(f"<h2>{esc(m.overview_title(report))}</h2><p>{esc(str(report['overview']))}</p>")
    body += [f"<p>{esc(line)}</p>" for line in m.report_footer(report)]
    return '<!doctype html><html><head><meta charset="utf-8"></head><body>' + "".join(body) + "</body></html>"
