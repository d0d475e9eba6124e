-- AlterTable
ALTER TABLE "IntelligenceSettings" ADD COLUMN     "scoreCutPoints" JSONB;
