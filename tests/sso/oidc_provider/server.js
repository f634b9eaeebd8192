// A real OpenID provider for Budbringer's tests: panva's certified oidc-provider with a
// static client, PKCE required, its development login page (any password), and accounts
// (e-mail, name, groups, department) from the JSON file the test wrote.
//
//   node server.js CONFIG.json     CONFIG: {port, client: {...}, accounts: {id: claims}, jwks?}
//
// Listens on 127.0.0.1 only and prints "listening <issuer>" when ready.
import fs from "node:fs";
import Provider from "oidc-provider";

const config = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const issuer = `http://127.0.0.1:${config.port}`;

const provider = new Provider(issuer, {
  clients: [
    {
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_basic",
      ...config.client,
    },
  ],
  ...(config.jwks ? { jwks: config.jwks } : {}),
  pkce: { required: () => true },
  // The claims in the ID token itself (what Budbringer reads), not only at userinfo.
  conformIdTokenClaims: false,
  claims: {
    openid: ["sub"],
    email: ["email", "email_verified"],
    profile: ["name", "groups", "department"],
  },
  features: { devInteractions: { enabled: true } },
  async findAccount(ctx, id) {
    const accounts = JSON.parse(fs.readFileSync(process.argv[2], "utf8")).accounts;
    if (!accounts[id]) return undefined;
    return { accountId: id, claims: async () => ({ sub: id, ...accounts[id] }) };
  },
  // No consent page: the test's client is first-party.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope("openid email profile");
    await grant.save();
    return grant;
  },
});
provider.on("server_error", (ctx, error) => console.error("server_error", error));

provider.listen(config.port, "127.0.0.1", () => console.log(`listening ${issuer}`));
