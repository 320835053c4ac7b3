"""CoAgents Travel ui service: renders the page and relays the agent's AG-UI stream."""
