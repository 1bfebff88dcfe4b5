"""Input guardrails, each one stage: personal data, emergencies, medical advice, injected instructions."""
