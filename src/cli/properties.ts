export { parseProperties } from '../core/properties.js';
