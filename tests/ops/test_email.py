"""Email delivery against a local aiosmtpd server that requires STARTTLS and AUTH."""

from __future__ import annotations

import email
import email.policy
import logging

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from scrapy.settings import Settings

from newsbot.delivery import push_alert, push_report
from tests.ops.conftest import free_port, sample_report

USER = "newsbot@example.com"
PASSWORD = "smtp-pa55word-never-logged"


class Recorder:
    def __init__(self):
        self.messages: list[tuple[object, bytes]] = []
        self.logins: list[tuple[str, bool]] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope, envelope.original_content or envelope.content))
        return "250 OK"

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        ok = auth_data.login.decode() == USER and auth_data.password.decode() == PASSWORD
        # session.ssl is set once STARTTLS has run: credentials only ever travel encrypted.
        self.logins.append((auth_data.login.decode(), session.ssl is not None))
        # handled=False: aiosmtpd itself answers 235 or 535.
        return AuthResult(success=ok, handled=False)


@pytest.fixture(scope="module")
def tls(tmp_path_factory):
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    folder = tmp_path_factory.mktemp("tls")
    cafile = folder / "ca.pem"
    ca.cert_pem.write_to_path(str(cafile))
    return ca, cert, cafile


@pytest.fixture
def smtp(tls):
    import ssl

    _, cert, _ = tls
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    recorder = Recorder()
    controller = Controller(
        recorder,
        hostname="127.0.0.1",
        port=free_port(),
        tls_context=context,
        require_starttls=True,
        authenticator=recorder.authenticate,
        auth_required=True,
        auth_require_tls=True,
    )
    controller.start()
    yield controller, recorder
    controller.stop()


def mail_settings(port: int, cafile, **extra) -> Settings:
    s = Settings()
    s.setmodule("newsbot.settings")
    channel = {
        "type": "email",
        "host": "127.0.0.1",
        "port": port,
        "from": USER,
        "to": ["a@example.com", "b@example.com"],
    }
    channel.update(cafile=str(cafile), **extra)
    s.set("NEWSBOT_CHANNELS", {"mail": channel})
    s.set("NEWSBOT_PUSH_BACKOFF", 0.01)
    s.set("NEWSBOT_PUSH_TIMEOUT", 5)
    return s


def test_report_mail_is_multipart_alternative_over_starttls(smtp, tls, tmp_path, monkeypatch, caplog):
    controller, recorder = smtp
    monkeypatch.setenv("NEWSBOT_MAIL_USERNAME", USER)
    monkeypatch.setenv("NEWSBOT_MAIL_PASSWORD", PASSWORD)
    txt = tmp_path / "2026-02-04.txt"
    txt.write_text("AI每日动态 - 2026-02-04\n纯文本版本\n", encoding="utf-8")
    page = tmp_path / "2026-02-04.html"
    page.write_text("<!doctype html><html><body><h1>AI每日动态</h1><p>网页版本</p></body></html>", encoding="utf-8")

    with caplog.at_level(logging.DEBUG):
        result = push_report(mail_settings(controller.port, tls[2]), sample_report(), {"txt": txt, "html": page})

    assert result.ok, result.as_dict()
    assert recorder.logins == [(USER, True)]
    [(envelope, raw)] = recorder.messages
    assert envelope.mail_from == USER
    assert envelope.rcpt_tos == ["a@example.com", "b@example.com"]
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert msg["Subject"] == "AI每日动态 - 2026-02-04"
    assert msg["Message-ID"] and msg["Date"]
    assert msg.get_content_type() == "multipart/alternative"
    parts = list(msg.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    # SMTP carries CRLF line ends.
    assert parts[0].get_content().replace("\r\n", "\n") == txt.read_text(encoding="utf-8")
    assert parts[1].get_content().strip() == page.read_text(encoding="utf-8").strip()
    assert PASSWORD not in caplog.text


def test_report_mail_without_files_is_built_from_the_json(smtp, tls, monkeypatch):
    controller, recorder = smtp
    monkeypatch.setenv("NEWSBOT_MAIL_USERNAME", USER)
    monkeypatch.setenv("NEWSBOT_MAIL_PASSWORD", PASSWORD)
    report = sample_report()
    report["domestic"][0]["title"] = "<script>alert(1)</script>"
    result = push_report(mail_settings(controller.port, tls[2]), report, {})
    assert result.ok
    msg = email.message_from_bytes(recorder.messages[0][1], policy=email.policy.default)
    text, page = (p.get_content() for p in msg.iter_parts())
    assert report["international"][1]["url"] in text and report["international"][1]["summary"] in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>" not in page
    assert f'href="{report["domestic"][1]["url"]}"' in page


def test_wrong_password_is_a_counted_failure_without_retry(smtp, tls, monkeypatch, caplog):
    controller, recorder = smtp
    monkeypatch.setenv("NEWSBOT_MAIL_USERNAME", USER)
    monkeypatch.setenv("NEWSBOT_MAIL_PASSWORD", "wrong-password-value")
    with caplog.at_level(logging.INFO):
        result = push_report(mail_settings(controller.port, tls[2]), sample_report(), {})
    assert not result.ok and result.failed == 1
    # An authentication failure is permanent: one attempt (smtplib tries each AUTH mechanism in it).
    assert result.channels[0].attempts == 1 and result.channels[0].retries == 0
    assert "SMTPAuthenticationError" in result.channels[0].errors[0]
    assert "wrong-password-value" not in caplog.text
    assert recorder.messages == []


def test_untrusted_certificate_is_refused(smtp, tmp_path, monkeypatch):
    controller, recorder = smtp
    monkeypatch.setenv("NEWSBOT_MAIL_USERNAME", USER)
    monkeypatch.setenv("NEWSBOT_MAIL_PASSWORD", PASSWORD)
    other_ca = tmp_path / "other.pem"
    trustme.CA().cert_pem.write_to_path(str(other_ca))
    result = push_report(mail_settings(controller.port, other_ca), sample_report(), {})
    assert not result.ok and "SSLCertVerificationError" in result.channels[0].errors[0]
    assert recorder.logins == [] and recorder.messages == []


def test_alert_mail(smtp, tls, monkeypatch):
    controller, recorder = smtp
    monkeypatch.setenv("NEWSBOT_MAIL_USERNAME", USER)
    monkeypatch.setenv("NEWSBOT_MAIL_PASSWORD", PASSWORD)
    result = push_alert(
        mail_settings(controller.port, tls[2]), "newsbot：1 个来源异常\n- 36氪（36kr）：连续 2 次运行无条目"
    )
    assert result.ok
    msg = email.message_from_bytes(recorder.messages[0][1], policy=email.policy.default)
    assert msg["Subject"] == "[newsbot 告警] newsbot：1 个来源异常"
    assert "连续 2 次运行无条目" in msg.get_content()
