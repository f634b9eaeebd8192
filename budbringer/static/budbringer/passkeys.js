// Passkeys (WebAuthn): adding one on the security settings page and signing in with one on
// the sign-in's second step. The server's options arrive as JSON with base64url strings;
// the browser wants ArrayBuffers, and its answer goes back as base64url again.
"use strict";

function toBytes(base64url) {
  const base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
  const padded = base64 + "=".repeat((4 - (base64.length % 4)) % 4);
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0)).buffer;
}

function toBase64url(buffer) {
  const bytes = new Uint8Array(buffer);
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function credentialJSON(credential) {
  const response = {};
  for (const key of ["clientDataJSON", "attestationObject", "authenticatorData", "signature", "userHandle"]) {
    if (credential.response[key]) response[key] = toBase64url(credential.response[key]);
  }
  if (credential.response.getTransports) response.transports = credential.response.getTransports();
  return JSON.stringify({
    id: credential.id,
    rawId: toBase64url(credential.rawId),
    type: credential.type,
    response: response,
    clientExtensionResults: credential.getClientExtensionResults(),
    authenticatorAttachment: credential.authenticatorAttachment,
  });
}

async function post(url, form, extra) {
  const body = new FormData(form);
  for (const [key, value] of Object.entries(extra || {})) body.set(key, value);
  const response = await fetch(url, { method: "POST", body: body, credentials: "same-origin" });
  return response.json();
}

function showError(form, message) {
  const box = form.querySelector("#passkey-error");
  box.textContent = message;
  box.hidden = false;
}

async function addPasskey(form) {
  const { options } = await post(form.dataset.optionsUrl, form);
  const publicKey = JSON.parse(options);
  publicKey.challenge = toBytes(publicKey.challenge);
  publicKey.user.id = toBytes(publicKey.user.id);
  for (const excluded of publicKey.excludeCredentials || []) excluded.id = toBytes(excluded.id);
  const credential = await navigator.credentials.create({ publicKey });
  return post(form.action, form, { credential: credentialJSON(credential) });
}

async function signInWithPasskey(form) {
  const answer = await post(form.dataset.optionsUrl, form);
  if (answer.error) return answer;
  const publicKey = JSON.parse(answer.options);
  publicKey.challenge = toBytes(publicKey.challenge);
  for (const allowed of publicKey.allowCredentials || []) allowed.id = toBytes(allowed.id);
  const credential = await navigator.credentials.get({ publicKey });
  return post(form.action, form, { credential: credentialJSON(credential) });
}

function wire(id, ceremony) {
  const form = document.getElementById(id);
  if (!form) return;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const failed = form.dataset.failed || "The passkey did not work. Try again.";
    try {
      const answer = await ceremony(form);
      if (answer.redirect) window.location.assign(answer.redirect);
      else showError(form, answer.error || failed);
    } catch (error) {
      showError(form, failed);  // cancelled, timed out, or no passkey on this device
    }
  });
}

wire("passkey-register", addPasskey);
wire("passkey-sign-in", signInWithPasskey);
