"""Questions in plain words: periods and the reader that accounts for every word, the counting (summary),
coverage of the plan, answers kept in memory, and the monthly reports."""
