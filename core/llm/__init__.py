"""The OpenAI-compatible LLM client (retries, error mapping, structured answers); confidence from log-probs."""
