// Sent in the x-edgeclip-sdk header; a test keeps it equal to package.json's version.
export const VERSION = '0.1.0'
