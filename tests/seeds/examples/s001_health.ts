// 001 health (TypeScript (fetch)); only the base URL and key come from the environment.
const API_BASE_URL = process.env.SWARMS_API_BASE_URL;
const API_KEY = process.env.SWARMS_API_KEY;
async function checkHealth(): Promise<void> {
try {
const response = await fetch(`${API_BASE_URL}/health`, {
method: 'GET',
headers: {
'x-api-key': API_KEY
}
});
if (response.ok) {
const data = await response.json();
console.log("API is healthy:", data);
} else {
console.error(`Error: ${response.status}`);
}
} catch (error) {
console.error("Request failed:", error);
}
}
checkHealth();
