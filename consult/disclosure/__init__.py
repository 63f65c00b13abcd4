"""Information requests (依申请公开) and the annual government-openness report."""
