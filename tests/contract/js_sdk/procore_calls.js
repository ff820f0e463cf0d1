// Procore's own JavaScript SDK (@procore/js-sdk, pinned in package.json) driving the Procore emulator.
// Reads a plan on stdin: {apiHostname, tokenPath, clientId, clientSecret, companyId, calls: [{name, method,
// base, version, params, action, qs, body}]} and prints one JSON line: {calls: [{name, url, status, ok,
// total, body}]}. The SDK's token() only knows the authorization-code grant, so the client-credentials token
// the sync uses is fetched here with the same fetch the SDK uses; every API call goes through the SDK's client.
"use strict";
require("isomorphic-fetch");
const sdk = require("@procore/js-sdk");

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString("utf8"));
}

async function clientCredentialsToken(plan) {
  const response = await fetch(`${plan.apiHostname}${plan.tokenPath}`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "client_credentials",
      client_id: plan.clientId,
      client_secret: plan.clientSecret,
    }).toString(),
  });
  const body = await response.json();
  if (!response.ok || !body.access_token) {
    throw new Error(`token refused: ${response.status} ${JSON.stringify(body)}`);
  }
  return body.access_token;
}

async function run(client, call) {
  const endpoint = { base: call.base, version: call.version, params: call.params, action: call.action, qs: call.qs };
  const config = { headers: { "Content-Type": "application/json" } };
  const method = call.method.toLowerCase();
  const url = client.url(endpoint);
  try {
    const answer = method === "get" ? await client.get(endpoint, config) : await client[method](endpoint, call.body, config);
    const total = answer.response.headers.get("Total");
    return { name: call.name, url, status: answer.response.status, ok: true, total, body: answer.body };
  } catch (failure) {
    if (failure && failure.response) {
      return { name: call.name, url, status: failure.response.status, ok: false, total: null, body: failure.body };
    }
    return { name: call.name, url, status: null, ok: false, total: null, body: String(failure) };
  }
}

async function main() {
  const plan = await readStdin();
  const authorizer = sdk.oauth(await clientCredentialsToken(plan));
  const client = sdk.client(authorizer, {}, { apiHostname: plan.apiHostname, defaultCompanyId: plan.companyId });
  const calls = [];
  for (const call of plan.calls) calls.push(await run(client, call));
  process.stdout.write(JSON.stringify({ sdkVersion: require("@procore/js-sdk/package.json").version, calls }));
}

main().catch((error) => {
  process.stderr.write(`${error.stack || error}\n`);
  process.exit(1);
});
