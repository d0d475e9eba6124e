// Where Stayloop runs: the same URL as `application_url` in shopify.app.toml (a suite test keeps
// the two equal; `shopify app config link` sets the toml, change this line with it).
export const stayloopAppUrl = "https://example.com";
