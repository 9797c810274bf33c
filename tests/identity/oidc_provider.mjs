// A real OpenID provider for the single sign-on tests: panva's oidc-provider on loopback.
//
// Configured by environment variables (tests/identity/providers.py starts it):
//   PORT, HOST           where it listens
//   ISSUER               the issuer it names (default http://HOST:PORT); a different one
//                        stands for a provider that is not the one configured
//   CLIENT_ID, CLIENT_SECRET, REDIRECT_URIS (comma-separated), POST_LOGOUT_REDIRECT_URIS
//   SIGNING_KEY          a private JWK (JSON) it signs ID tokens with
//   EMAIL_DOMAIN         every account's address is <login>@EMAIL_DOMAIN
//   EXTRA_CLAIMS         JSON object of claims every account has (e.g. {"kommune": "menden"})
//   MODE                 "" (honest), "wrong-nonce" (answers with another nonce than it was
//                        sent), "foreign-jwks" (publishes JWKS_URI, another provider's keys,
//                        while signing with its own)
// Any login name with any password logs in (the library's development login form); the
// grant is given without a consent screen, as for a town hall's own application.
import Provider from 'oidc-provider';

const env = process.env;
const host = env.HOST || '127.0.0.1';
const port = Number(env.PORT);
const issuer = env.ISSUER || `http://${host}:${port}`;
const extraClaims = JSON.parse(env.EXTRA_CLAIMS || '{}');
const mode = env.MODE || '';

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: env.CLIENT_ID,
      client_secret: env.CLIENT_SECRET,
      redirect_uris: env.REDIRECT_URIS.split(','),
      post_logout_redirect_uris: (env.POST_LOGOUT_REDIRECT_URIS || '').split(',').filter(Boolean),
      token_endpoint_auth_method: 'client_secret_post',
      grant_types: ['authorization_code'],
      response_types: ['code'],
    },
  ],
  jwks: { keys: [JSON.parse(env.SIGNING_KEY)] },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'given_name', 'family_name', 'preferred_username', ...Object.keys(extraClaims)],
  },
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  pkce: { required: () => true },
  async findAccount(ctx, sub) {
    return {
      accountId: sub,
      async claims() {
        return {
          sub,
          email: `${sub}@${env.EMAIL_DOMAIN}`,
          email_verified: true,
          name: `${sub} (${env.EMAIL_DOMAIN})`,
          preferred_username: sub,
          ...extraClaims,
        };
      },
    };
  },
  async loadExistingGrant(ctx) {
    const grant = new provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid email profile');
    grant.addOIDCClaims(['email', 'email_verified', 'name', 'preferred_username', ...Object.keys(extraClaims)]);
    await grant.save();
    return grant;
  },
});

provider.use(async (ctx, next) => {
  if (mode === 'wrong-nonce' && ctx.path === '/auth' && ctx.query.nonce) {
    ctx.query = { ...ctx.query, nonce: 'eine-ganz-andere-nonce' };
  }
  await next();
  if (mode === 'foreign-jwks' && ctx.path === '/.well-known/openid-configuration') {
    ctx.body = { ...ctx.body, jwks_uri: env.JWKS_URI };
  }
});

provider.listen(port, host, () => {
  console.log(`oidc-provider ${issuer} auf ${host}:${port}`);
});
