"""Writes of meetings: seats, meetings and notice, attendance, business and votes, minutes, referrals."""
