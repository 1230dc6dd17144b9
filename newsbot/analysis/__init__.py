"""Judging and summarising articles: the record schema, the LangChain analyzer and the offline one."""
