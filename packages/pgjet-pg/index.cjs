// The package's whole content: pgjet's pg face, so that `require('pg')` through an npm alias is the face
// itself (same classes: `instanceof require('pg').Pool` holds for pools the application made).
module.exports = require('pgjet/pg');
