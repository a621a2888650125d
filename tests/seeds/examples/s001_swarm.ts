// 001 swarm (TypeScript (fetch)); only the base URL and key come from the environment.
interface AgentSpec {
agent_name: string;
description: string;
system_prompt: string;
model_name: string;
role: string;
max_loops: number;
max_tokens: number;
temperature: number;
auto_generate_prompt: boolean;
}
interface SwarmConfig {
name: string;
description: string;
agents: AgentSpec[];
max_loops: number;
swarm_type: string;
task: string;
output_type: string;
}
const API_BASE_URL = process.env.SWARMS_API_BASE_URL;
const API_KEY = process.env.SWARMS_API_KEY;
async function runSwarm(): Promise<void> {
const swarmConfig: SwarmConfig = {
name: "Financial Analysis Swarm",
description: "Market analysis swarm",
agents: [
{
agent_name: "Market Analyst",
description: "Analyzes market trends",
system_prompt: "You are a financial analyst expert.",
model_name: "openai/gpt-4o",
role: "worker",
max_loops: 1,
max_tokens: 8192,
temperature: 0.5,
auto_generate_prompt: false
},
{
agent_name: "Economic Forecaster",
description: "Predicts economic trends",
system_prompt: "You are an expert in economic forecasting.",
model_name: "gpt-4o",
role: "worker",
max_loops: 1,
max_tokens: 8192,
temperature: 0.5,
auto_generate_prompt: false
}
],
max_loops: 1,
swarm_type: "ConcurrentWorkflow",
task: "What are the best etfs and index funds for ai and tech?",
output_type: "dict"
};
try {
const response = await fetch(`${API_BASE_URL}/v1/swarm/completions`, {
method: 'POST',
headers: {
'x-api-key': API_KEY,
'Content-Type': 'application/json'
},
body: JSON.stringify(swarmConfig)
});
if (response.ok) {
const result = await response.json();
console.log("Swarm completed successfully!");
console.log(`Cost: $${result.metadata.billing_info.total_cost}`);
console.log(`Execution time: ${result.metadata.execution_time_seconds} seconds`);
} else {
console.error(`Error: ${response.status} - ${await response.text()}`);
}
} catch (error) {
console.error("Request failed:", error);
}
}
runSwarm();
