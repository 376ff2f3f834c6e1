// The pages' only way to act on the bridge: one admin-grammar line per call, run with the logged-in
// user's privilege, exactly as bridgectl would run it.

/** A command the bridge refused or failed: its FTD-style text is the message. */
export class CommandError extends Error {
  constructor(command, text) {
    super(text.trim() || `'${command}' failed`);
    this.command = command;
  }
}

/** Runs one command line; resolves to {status, text, json}; rejects with CommandError when status != 0. */
export async function run(command) {
  const response = await fetch('/api/command', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ command }),
    cache: 'no-store',
  });
  if (!response.ok) {
    throw new CommandError(command, `HTTP ${response.status}: ${await response.text()}`);
  }
  const answer = await response.json();
  if (answer.status !== 0) throw new CommandError(command, answer.text);
  return answer;
}
