"""The pack's machinery: safe property access and the policy factories every rule uses."""
