"""Mailboxes (意见箱 / 领导信箱): letters to a department, tracked, answered and published where allowed."""
