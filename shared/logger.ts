import { Logger } from '@aws-lambda-powertools/logger';

/** One structured logger per container. Never log headers or bodies: they carry keys and personal data. */
export const logger = new Logger({ serviceName: 'herald' });
