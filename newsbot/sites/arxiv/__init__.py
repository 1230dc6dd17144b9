"""arXiv cs.AI: abstracts with LaTeX; replacements of old papers are skipped."""
