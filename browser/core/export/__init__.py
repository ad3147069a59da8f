"""Export a selection as a new ImageFolder tree and/or a manifest: the plan (:mod:`.plan`), safe
output names (:mod:`.names`), placing files that never overwrite (:mod:`.files`) and the run
(:mod:`.run`). The top of the core: may use every other core package."""
