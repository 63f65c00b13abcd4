"""Online interviews (在线访谈): officials answer the public's questions live; what they do not reach is tracked."""
