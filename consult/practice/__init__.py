"""Government practice: 好差评 rectification (整改) with follow-up (回访), rating appeals (申诉复核), the 三率, the compliance self-check."""
