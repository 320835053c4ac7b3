// A real AG-UI client (@ag-ui/client's HttpAgent) talking to the agent: every run sends
// the whole history the client holds plus the new message, as CopilotKit does, and approves
// what the agent proposes. Prints what the client ended up holding, as JSON.
// Usage: node replay.mjs <agent base url> <thread id> '<JSON list of messages to send>'
import { randomUUID } from "node:crypto";
import { HttpAgent } from "@ag-ui/client";

const [baseUrl, threadId, turnsJson] = process.argv.slice(2);
const agent = new HttpAgent({ url: `${baseUrl}/copilotkit`, threadId });
const runs = [];

async function run(parameters) {
  let finished = null;
  let error = null;
  const sent = agent.messages.length;
  await agent.runAgent(parameters, {
    onRunFinishedEvent: ({ event }) => {
      finished = event;
    },
    onRunErrorEvent: ({ event }) => {
      error = event.message;
    },
  });
  runs.push({ sentMessages: sent, error, outcome: finished?.outcome?.type ?? null });
  return finished;
}

for (const text of JSON.parse(turnsJson)) {
  agent.addMessage({ id: randomUUID(), role: "user", content: text });
  let finished = await run({});
  while (finished?.outcome?.type === "interrupt") {
    const resume = finished.outcome.interrupts.map((i) => ({
      interruptId: i.id,
      status: "resolved",
      payload: { approved: true },
    }));
    finished = await run({ resume });
  }
}
process.stdout.write(JSON.stringify({ runs, messages: agent.messages }));
