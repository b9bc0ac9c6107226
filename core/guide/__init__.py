"""The field guide (description checks, readiness, suggested rewrites), examples per type, and drafting fields
from a plain-language request."""
