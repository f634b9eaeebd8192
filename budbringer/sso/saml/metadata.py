"""An identity provider's metadata, read safely: entity id, single sign-on URL and
signing certificates are all we keep, and pysaml2 later gets a minimal metadata rebuilt
from them (``idp_metadata_xml``), so nothing else in the pasted document has any effect.

defusedxml refuses entity declarations and external references (billion laughs, XXE).
"""

from dataclasses import dataclass
from xml.etree.ElementTree import Element
from xml.sax.saxutils import quoteattr

import defusedxml.ElementTree as DET
from django.utils.translation import gettext as _

from budbringer.sso.saml.keys import certificate_body, pem_from_body

MD = "urn:oasis:names:tc:SAML:2.0:metadata"
DS = "http://www.w3.org/2000/09/xmldsig#"
REDIRECT = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
POST = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
PROTOCOL = "urn:oasis:names:tc:SAML:2.0:protocol"
MAX_BYTES = 1_000_000  # ADFS metadata is ~60 kB; a federation's aggregate is not for here


class MetadataError(ValueError):
    """The document is not usable IdP metadata; the message says why, for an admin."""


@dataclass(frozen=True)
class IdentityProvider:
    entity_id: str
    sso_url: str  # HTTP-Redirect binding: where our AuthnRequest goes
    certificates: tuple[str, ...]  # PEM, the keys that may sign assertions


def read_metadata(document: bytes | str) -> IdentityProvider:
    """The identity provider described by ``document``, or MetadataError."""
    if isinstance(document, str):
        document = document.encode("utf-8")
    if len(document) > MAX_BYTES:
        raise MetadataError(_("The metadata is larger than 1 MB."))
    try:
        root = DET.fromstring(document, forbid_dtd=True)
    except DET.DefusedXmlException:
        raise MetadataError(
            _("The metadata declares entities or a DTD, which is refused.")
        ) from None
    except Exception:  # ParseError and friends: any unparsable document
        raise MetadataError(_("The metadata is not well-formed XML.")) from None

    entity = _single_identity_provider(root)
    entity_id = (entity.get("entityID") or "").strip()
    if not entity_id:
        raise MetadataError(_("The metadata has no entityID."))
    idp = entity.find(f"{{{MD}}}IDPSSODescriptor")
    if PROTOCOL not in (idp.get("protocolSupportEnumeration") or ""):
        raise MetadataError(_("The identity provider does not say it speaks SAML 2.0."))

    sso_url = ""
    for service in idp.findall(f"{{{MD}}}SingleSignOnService"):
        if service.get("Binding") == REDIRECT and service.get("Location"):
            sso_url = service.get("Location").strip()
            break
    if not sso_url.startswith(("https://", "http://")):
        raise MetadataError(
            _("The metadata has no single sign-on address for the HTTP-Redirect binding.")
        )

    certificates = []
    for descriptor in idp.findall(f"{{{MD}}}KeyDescriptor"):
        if descriptor.get("use", "signing") != "signing":
            continue
        for cert in descriptor.iter(f"{{{DS}}}X509Certificate"):
            try:
                pem = pem_from_body(cert.text or "")
            except ValueError:
                raise MetadataError(
                    _("A signing certificate in the metadata is damaged.")
                ) from None
            if pem not in certificates:
                certificates.append(pem)
    if not certificates:
        raise MetadataError(
            _("The metadata has no signing certificate, so assertions could not be checked.")
        )
    return IdentityProvider(entity_id, sso_url, tuple(certificates))


def _single_identity_provider(root: Element) -> Element:
    if root.tag == f"{{{MD}}}EntityDescriptor":
        entities = [root]
    elif root.tag == f"{{{MD}}}EntitiesDescriptor":
        entities = list(root.iter(f"{{{MD}}}EntityDescriptor"))
    else:
        raise MetadataError(_("This is not SAML metadata (no EntityDescriptor)."))
    providers = [e for e in entities if e.find(f"{{{MD}}}IDPSSODescriptor") is not None]
    if not providers:
        raise MetadataError(_("The metadata describes no identity provider."))
    if len(providers) > 1:
        raise MetadataError(_("The metadata describes several identity providers; paste one."))
    return providers[0]


def minimal_metadata(provider: IdentityProvider) -> str:
    """The metadata pysaml2 is given: only what we read and checked."""
    keys = "".join(
        f'<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>'
        f"{certificate_body(pem)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>"
        f"</md:KeyDescriptor>"
        for pem in provider.certificates
    )
    return (
        f'<md:EntityDescriptor xmlns:md="{MD}" xmlns:ds="{DS}" '
        f"entityID={quoteattr(provider.entity_id)}>"
        f'<md:IDPSSODescriptor protocolSupportEnumeration="{PROTOCOL}">{keys}'
        f'<md:SingleSignOnService Binding="{REDIRECT}" Location={quoteattr(provider.sso_url)}/>'
        f"</md:IDPSSODescriptor></md:EntityDescriptor>"
    )
