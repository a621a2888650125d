// 001 swarm batch (TypeScript (fetch)); only the base URL and key come from the environment.
interface AgentSpec {
agent_name: string;
description: string;
system_prompt: string;
model_name: string;
role: string;
max_loops: number;
}
interface SwarmSpec {
name: string;
description: string;
agents: AgentSpec[];
max_loops: number;
swarm_type: string;
task: string;
}
const API_BASE_URL = process.env.SWARMS_API_BASE_URL;
const API_KEY = process.env.SWARMS_API_KEY;
async function runBatchSwarms(): Promise<void> {
const batchSwarms: SwarmSpec[] = [
{
name: "Batch Swarm 1",
description: "First swarm in the batch",
agents: [
{
agent_name: "Research Agent",
description: "Conducts research",
system_prompt: "You are a research assistant.",
model_name: "gpt-4o",
role: "worker",
max_loops: 1
},
{
agent_name: "Analysis Agent",
description: "Analyzes data",
system_prompt: "You are a data analyst.",
model_name: "gpt-4o",
role: "worker",
max_loops: 1
}
],
max_loops: 1,
swarm_type: "SequentialWorkflow",
task: "Research AI advancements."
},
{
name: "Batch Swarm 2",
description: "Second swarm in the batch",
agents: [
{
agent_name: "Writing Agent",
description: "Writes content",
system_prompt: "You are a content writer.",
model_name: "gpt-4o",
role: "worker",
max_loops: 1
},
{
agent_name: "Editing Agent",
description: "Edits content",
system_prompt: "You are an editor.",
model_name: "gpt-4o",
role: "worker",
max_loops: 1
}
],
max_loops: 1,
swarm_type: "SequentialWorkflow",
task: "Write a summary of AI research."
}
];
try {
const response = await fetch(`${API_BASE_URL}/v1/swarm/batch/completions`, {
method: 'POST',
headers: {
'x-api-key': API_KEY,
'Content-Type': 'application/json'
},
body: JSON.stringify(batchSwarms)
});
if (response.ok) {
const results = await response.json();
console.log(`Batch completed with ${results.length} swarms`);
results.forEach((result: any, index: number) => {
console.log(`Swarm ${index + 1}: ${result.swarm_name} - ${result.status}`);
});
} else {
console.error(`Error: ${response.status} - ${await response.text()}`);
}
} catch (error) {
console.error("Request failed:", error);
}
}
runBatchSwarms();
