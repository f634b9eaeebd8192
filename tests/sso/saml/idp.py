"""A real SAML identity provider for the tests: pysaml2's own IdP (``saml2.server.Server``)
with a key pair made for the run, signing its assertions; ``serve()`` wraps it in a tiny
HTTP server on 127.0.0.1 whose sign-on page asks for one field, the e-mail address."""

import base64
import html
import shutil
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.metadata import entity_descriptor
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_EMAILADDRESS, NameID
from saml2.server import Server

from budbringer.sso.saml.keys import new_key_pair


class TestIdP:
    """The IdP at ``base_url``; ``metadata()`` is what an admin pastes into Budbringer."""

    __test__ = False  # a helper, not a test class

    def __init__(self, base_url: str = "http://127.0.0.1:9", folder: Path | None = None):
        self.base_url = base_url
        self.folder = Path(folder or tempfile.mkdtemp(prefix="test-idp-"))
        self.key_file, self.cert_file = self.folder / "idp.key", self.folder / "idp.crt"
        key, cert = new_key_pair("Test IdP")
        self.key_file.write_text(key)
        self.cert_file.write_text(cert)
        self.certificate = cert
        self.sp_metadata: list[str] = []
        # People the sign-on page knows: e-mail -> attributes.
        self.people: dict[str, dict[str, list[str]]] = {}

    @property
    def entity_id(self) -> str:
        return f"{self.base_url}/idp/metadata"

    @property
    def sso_url(self) -> str:
        return f"{self.base_url}/idp/sso"

    def config(self) -> IdPConfig:
        config = IdPConfig()
        config.load(
            {
                "entityid": self.entity_id,
                "xmlsec_binary": shutil.which("xmlsec1"),
                "key_file": str(self.key_file),
                "cert_file": str(self.cert_file),
                "metadata": {"inline": self.sp_metadata} if self.sp_metadata else {},
                "service": {
                    "idp": {
                        "endpoints": {
                            "single_sign_on_service": [(self.sso_url, BINDING_HTTP_REDIRECT)]
                        },
                        "name_id_format": [NAMEID_FORMAT_EMAILADDRESS],
                        "policy": {
                            "default": {
                                "lifetime": {"minutes": 5},
                                "attribute_restrictions": None,
                                "name_form": NAME_FORMAT_URI,
                            }
                        },
                    }
                },
            }
        )
        return config

    def metadata(self) -> str:
        return str(entity_descriptor(self.config()))

    def trust(self, sp_metadata: str) -> None:
        self.sp_metadata = [sp_metadata]

    def response(
        self,
        email: str,
        *,
        in_response_to: str | None,
        destination: str,
        audience: str,
        attributes: dict[str, list[str]] | None = None,
        sign_assertion: bool = True,
        sign_response: bool = False,
    ) -> str:
        """A SAMLResponse (XML text) for ``email``."""
        server = Server(config=self.config())
        return str(
            server.create_authn_response(
                identity=attributes if attributes is not None else self.people.get(email, {}),
                in_response_to=in_response_to,
                destination=destination,
                sp_entity_id=audience,
                name_id=NameID(format=NAMEID_FORMAT_EMAILADDRESS, text=email),
                authn={
                    "class_ref": "urn:oasis:names:tc:SAML:2.0:ac:classes:Password",
                    "authn_auth": self.entity_id,
                },
                sign_assertion=sign_assertion,
                sign_response=sign_response,
            )
        )

    def request_id(self, saml_request: str) -> tuple[str, str, str]:
        """(request id, ACS URL, SP entity id) of a redirect-binding AuthnRequest."""
        server = Server(config=self.config())
        parsed = server.parse_authn_request(saml_request, BINDING_HTTP_REDIRECT).message
        return parsed.id, parsed.assertion_consumer_service_url, parsed.issuer.text

    @staticmethod
    def request_id_of(saml_request: str) -> tuple[str, str, str]:
        """The same, read by the standard library (no IdP config needed)."""
        import zlib

        from defusedxml import ElementTree

        xml = zlib.decompress(base64.b64decode(saml_request), -15)
        root = ElementTree.fromstring(xml)
        issuer = root.find("{urn:oasis:names:tc:SAML:2.0:assertion}Issuer").text
        return root.get("ID"), root.get("AssertionConsumerServiceURL"), issuer


def encode(xml: str) -> str:
    return base64.b64encode(xml.encode("utf-8")).decode("ascii")


FORM = (
    '<!doctype html><html><head><meta charset="utf-8"><title>Test IdP</title></head><body>'
    "<h1>Test IdP</h1><form method='post' action='/idp/sso'>"
    "<input type='hidden' name='SAMLRequest' value='{request}'>"
    "<label>E-mail <input name='email'></label> <button>Sign in</button></form></body></html>"
)
# As ADFS and Okta do: the form submits itself, the button is for browsers without script.
POST_BACK = (
    '<!doctype html><html><head><meta charset="utf-8"><title>Posting back</title></head>'
    "<body><form method='post' action='{acs}'><input type='hidden' name='SAMLResponse' "
    "value='{response}'><button>Continue</button></form>"
    "<script>document.forms[0].submit()</script></body></html>"
)


def serve(idp: TestIdP):
    """Start the IdP's HTTP server on 127.0.0.1 (the port is in idp.base_url); returns it.

    The sign-on page is a one-field form; the answer is a form with the SAMLResponse that
    posts itself to the ACS (the page is the IdP's, so our CSP does not apply to it)."""

    class Handler(BaseHTTPRequestHandler):
        def _page(self, body: str, status: int = 200):
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            query = parse_qs(urlsplit(self.path).query)
            if urlsplit(self.path).path != "/idp/sso" or "SAMLRequest" not in query:
                return self._page("not found", 404)
            self._page(FORM.format(request=html.escape(query["SAMLRequest"][0], quote=True)))

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            form = parse_qs(self.rfile.read(length).decode())
            request_id, acs, sp = idp.request_id(form["SAMLRequest"][0])
            email = form["email"][0]
            xml = idp.response(email, in_response_to=request_id, destination=acs, audience=sp)
            self._page(POST_BACK.format(acs=html.escape(acs, quote=True), response=encode(xml)))

        def log_message(self, format, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    idp.base_url = f"http://127.0.0.1:{server.server_port}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


__all__ = ["BINDING_HTTP_POST", "TestIdP", "encode", "serve"]
