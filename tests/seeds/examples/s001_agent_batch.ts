// 001 agent batch (TypeScript (fetch)); only the base URL and key come from the environment.
interface AgentConfig {
agent_name: string;
description: string;
system_prompt: string;
model_name: string;
temperature: number;
}
interface AgentCompletion {
agent_config: AgentConfig;
task: string;
}
const API_BASE_URL = process.env.SWARMS_API_BASE_URL;
const API_KEY = process.env.SWARMS_API_KEY;
async function runBatchAgents(): Promise<void> {
const batchAgents: AgentCompletion[] = [
{
agent_config: {
agent_name: "Market Analyst",
description: "Expert in market analysis",
system_prompt: "You are a financial market analyst.",
model_name: "gpt-4o",
temperature: 0.3
},
task: "Analyze the current market trends in AI technology sector"
},
{
agent_config: {
agent_name: "Technical Writer",
description: "Specialized in technical documentation",
system_prompt: "You are a technical documentation expert.",
model_name: "gpt-4o",
temperature: 0.7
},
task: "Create a technical guide for implementing OAuth2 authentication"
}
];
try {
const response = await fetch(`${API_BASE_URL}/v1/agent/batch/completions`, {
method: 'POST',
headers: {
'x-api-key': API_KEY,
'Content-Type': 'application/json'
},
body: JSON.stringify(batchAgents)
});
if (response.ok) {
const result = await response.json();
console.log(`Batch completed with ${result.total_requests} agents`);
console.log(`Execution time: ${result.execution_time} seconds`);
console.log("\nResults:");
result.results.forEach((agentResult: any, index: number) => {
console.log(` Agent ${index + 1}: ${agentResult.name} - ${agentResult.success}`);
});
} else {
console.error(`Error: ${response.status} - ${await response.text()}`);
}
} catch (error) {
console.error("Request failed:", error);
}
}
runBatchAgents();
