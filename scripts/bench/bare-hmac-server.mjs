// The benchmark's baseline: a bare node:http server that only reads the body and verifies the
// Shopify HMAC — the least any correct webhook endpoint must do. Prints its URL on stdout.
import { createHmac, timingSafeEqual } from "node:crypto";
import http from "node:http";

const secret = process.env.SHOPIFY_API_SECRET ?? "";
const server = http.createServer((request, response) => {
  const chunks = [];
  request.on("data", (chunk) => chunks.push(chunk));
  request.on("end", () => {
    const expected = createHmac("sha256", secret).update(Buffer.concat(chunks)).digest();
    const given = Buffer.from(String(request.headers["x-shopify-hmac-sha256"] ?? ""), "base64");
    const ok = given.length === expected.length && timingSafeEqual(given, expected);
    response.writeHead(ok ? 200 : 401, { "content-type": "text/plain" });
    response.end(ok ? "OK" : "Unauthorized");
  });
});
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  console.log(`listening http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`);
});
process.once("SIGTERM", () => server.close(() => process.exit(0)));
