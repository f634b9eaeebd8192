"""SAML 2.0 single sign-on (the service-provider side), one connection per organisation.

``metadata`` reads an identity provider's metadata, ``keys`` makes our own key pair,
``protocol`` speaks to pysaml2 (AuthnRequests out, signed assertions in), ``signin``
ties a checked assertion to a person, ``views`` are the endpoints and the admin page.
"""
