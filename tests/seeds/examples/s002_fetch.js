// 002 Code Examples / Node.js / Using Fetch API; only the base URL and key come from the environment.
const API_KEY = process.env.SWARMS_API_KEY;
const BASE_URL = process.env.SWARMS_API_BASE_URL;

const headers = {
  'x-api-key': API_KEY,
  'Content-Type': 'application/json'
};

// Schedule a swarm
async function scheduleSwarm() {
  const scheduledTime = new Date();
  scheduledTime.setHours(scheduledTime.getHours() + 1);

  const payload = {
    name: 'Scheduled Analysis',
    agents: [{
      agent_name: 'Analyst',
      system_prompt: 'You are a market analyst.',
      model_name: 'gpt-4o',
      role: 'worker'
    }],
    task: 'Analyze tech trends',
    schedule: {
      scheduled_time: scheduledTime.toISOString(),
      timezone: 'America/New_York'
    }
  };

  try {
    const response = await fetch(`${BASE_URL}/v1/swarm/schedule`, {
      method: 'POST',
      headers,
      body: JSON.stringify(payload)
    });
    
    return await response.json();
  } catch (error) {
    console.error('Error:', error);
    throw error;
  }
}

// Get scheduled jobs
async function getScheduledJobs() {
  try {
    const response = await fetch(`${BASE_URL}/v1/swarm/schedule`, {
      headers
    });
    return await response.json();
  } catch (error) {
    console.error('Error:', error);
    throw error;
  }
}

// Cancel scheduled job
async function cancelScheduledJob(jobId) {
  try {
    const response = await fetch(`${BASE_URL}/v1/swarm/schedule/${jobId}`, {
      method: 'DELETE',
      headers
    });
    return await response.json();
  } catch (error) {
    console.error('Error:', error);
    throw error;
  }
}
