"""36氪: newsflash feeds carry the full text; /p/ article pages keep it in window.initialState."""
