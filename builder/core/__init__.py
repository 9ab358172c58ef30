"""Pure types shared by every stage: locations, diagnostics, URL rules."""
