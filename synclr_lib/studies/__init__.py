"""One module per paper table or figure the notebooks reproduce: each owns its training
runs, its table builder, its findings (judged by one rule, `verdicts`) and its REPORT
section. They sit between train/ + evaluate/ (which they call) and report/ (which only
assembles their sections).

| module | paper | notebook |
|---|---|---|
| `strategies` | Table 2: caption strategies | 05 |
| `cfg_scale` | Table 3: the CFG scale | 03 |
| `components` | Table 4: what each component adds | 04 |
| `objective` | Table 5: the objective | 04 |
| `comparisons` | Tables 6, 7 (ADE20k), 9, 10 and the main seeded comparison | 04, 05 |
| `patches` | Fig. 5: PCA of patch features | 06 |
| `scaling` | Figs. 6-7: scaling the captions | 07 |
| `shortcut` | not in the paper: why a caption must leave colour open | 04 |

Shared: `runs` (SynCLR / SimCLR recipes), `ablation_table` (Tables 4, 5, 10's layout),
`catalog` (every run, for costs), `sections` (Markdown blocks), `verdicts` (the rule).
"""
