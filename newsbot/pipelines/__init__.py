"""Item pipelines, in the order they run: normalise (100) -> judge, the offline judgement (200) -> store,
one write with that judgement (300) -> follow-up, the LLM's judgement of the articles a report will read
(400). The judge and the follow-up share their setup in analysis_stage.py."""
