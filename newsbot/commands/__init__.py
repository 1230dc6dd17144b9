"""Project commands: digest, report, evalprompts, schedule, sources."""
