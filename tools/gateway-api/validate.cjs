// Validates Gateway API objects against the @kubernetes-models/gateway-api schemas.
// Input: a JSON array of objects on stdin. Output: one line per problem on stderr; exit 1
// when there is any. Used by tests/delivery (kubernetes-validate has no Gateway API schemas).
"use strict";

const { HTTPRoute } = require("@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute");
const { ReferenceGrant } = require("@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1beta1/ReferenceGrant");

const MODELS = {
  "gateway.networking.k8s.io/v1/HTTPRoute": HTTPRoute,
  "gateway.networking.k8s.io/v1beta1/ReferenceGrant": ReferenceGrant,
};

// Gateway API duration (GEP-2257), as the CRD's pattern says.
const DURATION = /^([0-9]{1,5}(h|m|s|ms)){1,4}$/;
const UNIT_MS = { h: 3600000, m: 60000, s: 1000, ms: 1 };

function durationMs(text) {
  let total = 0;
  for (const [, n, unit] of text.matchAll(/([0-9]{1,5})(h|m|s|ms)/g)) total += Number(n) * UNIT_MS[unit];
  return total;
}

// The CRD's CEL rule, which JSON schema cannot express: backendRequest <= request unless
// request is zero (no timeout).
function timeoutProblems(route) {
  const problems = [];
  (route.spec?.rules ?? []).forEach((rule, i) => {
    const t = rule.timeouts;
    if (!t) return;
    for (const field of ["request", "backendRequest"]) {
      if (t[field] !== undefined && !DURATION.test(t[field])) {
        problems.push(`rules[${i}].timeouts.${field} "${t[field]}" is not a Gateway API duration`);
      }
    }
    if (t.request && t.backendRequest && DURATION.test(t.request) && DURATION.test(t.backendRequest)) {
      const request = durationMs(t.request);
      if (request !== 0 && durationMs(t.backendRequest) > request) {
        problems.push(`rules[${i}].timeouts.backendRequest must not exceed timeouts.request`);
      }
    }
  });
  return problems;
}

function main() {
  const objects = JSON.parse(require("fs").readFileSync(0, "utf8"));
  let failed = 0;
  for (const obj of objects) {
    const key = `${obj.apiVersion}/${obj.kind}`;
    const name = `${obj.kind}/${obj.metadata?.name}`;
    const Model = MODELS[key];
    const problems = [];
    if (!Model) {
      problems.push(`no schema for ${key}`);
    } else {
      try {
        new Model(obj).validate();
      } catch (err) {
        problems.push(String(err.message ?? err));
      }
      if (obj.kind === "HTTPRoute") problems.push(...timeoutProblems(obj));
    }
    for (const p of problems) console.error(`${name}: ${p}`);
    if (problems.length) failed += 1;
    else console.log(`${name}: valid`);
  }
  process.exit(failed ? 1 : 0);
}

main();
