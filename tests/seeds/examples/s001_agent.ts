// 001 agent (TypeScript (fetch)); only the base URL and key come from the environment.
interface AgentConfig {
agent_name: string;
description: string;
system_prompt: string;
model_name: string;
max_loops: number;
max_tokens: number;
temperature: number;
}
interface AgentRequest {
agent_config: AgentConfig;
task: string;
}
const API_BASE_URL = process.env.SWARMS_API_BASE_URL;
const API_KEY = process.env.SWARMS_API_KEY;
async function runSingleAgent(): Promise<void> {
const agentRequest: AgentRequest = {
agent_config: {
agent_name: "Research Assistant",
description: "Helps with research tasks",
system_prompt: "You are a research assistant expert.",
model_name: "gpt-4o",
max_loops: 1,
max_tokens: 8192,
temperature: 0.5
},
task: "Research the latest developments in quantum computing."
};
try {
const response = await fetch(`${API_BASE_URL}/v1/agent/completions`, {
method: 'POST',
headers: {
'x-api-key': API_KEY,
'Content-Type': 'application/json'
},
body: JSON.stringify(agentRequest)
});
if (response.ok) {
const result = await response.json();
console.log(`Agent ${result.name} completed successfully!`);
console.log(`Usage: ${result.usage.total_tokens} tokens`);
console.log(`Output:`, result.outputs);
} else {
console.error(`Error: ${response.status} - ${await response.text()}`);
}
} catch (error) {
console.error("Request failed:", error);
}
}
runSingleAgent();
